// Compares the connectivity list with np-guard/netpol-analyzer's golden files for its
// AdminNetworkPolicy and BaselineAdminNetworkPolicy cases: every case of
// ../shared/conformance/netpol-analyzer-anp/cases.json, `matrix` on its folder, line by line.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeWorkspace, connectivityList, defaultSettings } from '../../src/engine';
import { matrixText } from '../../src/cli/matrixFormat';

const OPEN_ROOT = join(__dirname, '../../../shared/conformance/netpol-analyzer-anp');
/**
 * NETSIM_ANP_CONFORMANCE_DIR runs another folder in the same layout (tests/<case>/, test_outputs/connlist/,
 * cases.json, or only the folders: each tests/<case> with test_outputs/connlist/<case>_connlist_output.txt).
 */
const OTHER_ROOT = process.env.NETSIM_ANP_CONFORMANCE_DIR;
const ROOT = OTHER_ROOT ?? OPEN_ROOT;

interface Case {
  dir: string;
  expected: string;
  tags: string[];
}

const cases: Case[] = existsSync(join(ROOT, 'cases.json'))
  ? (JSON.parse(readFileSync(join(ROOT, 'cases.json'), 'utf8')) as Case[])
  : readdirSync(join(ROOT, 'tests'))
      .sort()
      .map((dir) => ({ dir, expected: `test_outputs/connlist/${dir}_connlist_output.txt`, tags: [] }));

/** The manifests of one case, read as the CLI reads a folder (YAML and JSON files). */
function inputs(name: string): Array<{ path: string; text: string }> {
  const dir = join(ROOT, 'tests', name);
  return readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => ({ path: `${name}/${f}`, text: readFileSync(join(dir, f), 'utf8') }));
}

/** Upstream compares outputs with every line break removed; lines are compared here, which is stricter. */
function lines(text: string): string[] {
  return text
    .replace(/\r/g, '')
    .split('\n')
    .filter((l) => l.trim() !== '');
}

/** Lines of `a` missing from `b` and the reverse, for a failure message that shows which pairs differ. */
function lineDiff(actual: string[], expected: string[]): string {
  const extra = actual.filter((l) => !expected.includes(l)).map((l) => `+ ${l}`);
  const missing = expected.filter((l) => !actual.includes(l)).map((l) => `- ${l}`);
  return [...missing, ...extra].slice(0, 40).join('\n');
}

describe('conformance: netpol-analyzer AdminNetworkPolicy / BaselineAdminNetworkPolicy connectivity lists', () => {
  it('covers every case of cases.json, each with its folder and golden list', () => {
    if (OTHER_ROOT === undefined) assert.equal(cases.length, 11);
    const folders = readdirSync(join(ROOT, 'tests')).sort();
    assert.deepEqual(cases.map((c) => c.dir).sort(), folders);
  });

  for (const c of cases) {
    it(`${c.dir} (${c.tags.join(', ')})`, () => {
      // netpol-analyzer's reading of hostNetwork pods (none of these cases has one, so it changes nothing here).
      const a = analyzeWorkspace(inputs(c.dir), { settings: { ...defaultSettings(), hostNetworkPods: 'pod' } });
      const policyErrors = a.diagnostics.filter((d) => d.severity === 'error' && /Policy\//.test(d.resource ?? ''));
      assert.deepEqual(
        policyErrors.map((d) => `${d.code} ${d.range.file}:${d.range.line}: ${d.message}`),
        [],
        'every policy of the case is read without errors',
      );
      const actual = lines(matrixText(connectivityList(a.policies)));
      const expected = lines(readFileSync(join(ROOT, c.expected), 'utf8'));
      assert.deepEqual(actual, expected, `pairs that differ (- expected only, + ours only):\n${lineDiff(actual, expected)}`);
    });
  }
});
