// Compares the connectivity list with np-guard/netpol-analyzer's golden files: every expected file
// in ../shared/conformance/netpol-analyzer/expected, in its own format (txt, json, csv, md).
// NETSIM_NETPOL_CONFORMANCE_DIR runs another folder in the same layout (tests/<case>/ and
// expected/<case>_connlist_output.<ext>), such as held-out cases kept outside the repo.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeWorkspace, connectivityList, PolicyEngine, type ConnectivityList } from '../../src/engine';
import { matrixCsv, matrixJson, matrixMarkdown, matrixText } from '../../src/cli/matrixFormat';

const OPEN_ROOT = join(__dirname, '../../../shared/conformance/netpol-analyzer');
const OTHER_ROOT = process.env.NETSIM_NETPOL_CONFORMANCE_DIR;
const ROOT = OTHER_ROOT ?? OPEN_ROOT;
const FORMATS: Record<string, (l: ConnectivityList) => string> = { txt: matrixText, json: matrixJson, csv: matrixCsv, md: matrixMarkdown };

/** The manifests of one case, read as the CLI reads a folder (YAML and JSON files). */
function inputs(name: string): Array<{ path: string; text: string }> {
  const dir = join(ROOT, 'tests', name);
  return readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => ({ path: `${name}/${f}`, text: readFileSync(join(dir, f), 'utf8') }));
}

/**
 * netpol-analyzer applies policies to hostNetwork pods like any other pod: the API leaves this to
 * the network plugin, and it is the engine's `hostNetwork: 'pod'` reading. (Only ipblockstest has
 * hostNetwork pods; the default `node` reading is checked against it separately below.)
 */
function list(name: string, hostNetwork: 'pod' | 'node' = 'pod'): ConnectivityList {
  const a = analyzeWorkspace(inputs(name));
  return connectivityList(new PolicyEngine(a.cluster, [], { hostNetwork }));
}

/** Lines of `a` missing from `b` and the reverse, for a failure message that shows which pairs differ. */
function lineDiff(actual: string, expected: string): string {
  const a = new Set(actual.trimEnd().split('\n'));
  const e = new Set(expected.trimEnd().split('\n'));
  const extra = [...a].filter((l) => !e.has(l)).map((l) => `+ ${l}`);
  const missing = [...e].filter((l) => !a.has(l)).map((l) => `- ${l}`);
  return [...missing, ...extra].slice(0, 40).join('\n');
}

const expectedFiles = readdirSync(join(ROOT, 'expected')).sort();

describe('conformance: netpol-analyzer connectivity lists', () => {
  it('covers every case of the suite, each with at least its text form', () => {
    const cases = readdirSync(join(ROOT, 'tests')).sort();
    if (OTHER_ROOT === undefined) assert.equal(cases.length, 6);
    for (const c of cases)
      assert.ok(
        expectedFiles.includes(`${c}_connlist_output.txt`) || expectedFiles.some((f) => f.startsWith(`${c}_connlist_output.`)),
        `expected output for ${c}`,
      );
  });

  for (const file of expectedFiles) {
    const m = /^(.+)_connlist_output\.(\w+)$/.exec(file);
    if (!m) continue;
    const [, name, ext] = m as unknown as [string, string, string];
    it(`${name} (${ext})`, () => {
      const format = FORMATS[ext];
      assert.ok(format, `no formatter for .${ext}`);
      const expected = readFileSync(join(ROOT, 'expected', file), 'utf8');
      const actual = format(list(name));
      if (ext === 'json') assert.deepEqual(JSON.parse(actual), JSON.parse(expected));
      assert.equal(
        actual.trimEnd(),
        expected.trimEnd(),
        `pairs that differ (- expected only, + ours only):\n${lineDiff(actual, expected)}`,
      );
    });
  }

  const openSetOnly = { skip: OTHER_ROOT === undefined ? false : 'a case of the open set' };
  it(
    'ipblockstest under the default reading (policies do not select hostNetwork pods) differs only for the hostNetwork pods a policy would select',
    openSetOnly,
    () => {
      const expected = readFileSync(join(ROOT, 'expected', 'ipblockstest_connlist_output.txt'), 'utf8')
        .trimEnd()
        .split('\n');
      const actual = matrixText(list('ipblockstest', 'node')).trimEnd().split('\n');
      const differing = new Set(
        [...actual.filter((l) => !expected.includes(l)), ...expected.filter((l) => !actual.includes(l))].map(
          (l) => l.split(' => ')[1]?.split(' : ')[0],
        ),
      );
      // tier=frontend hostNetwork DaemonSets in kube-system: not isolated here, so every range reaches them with All Connections.
      assert.deepEqual([...differing].sort(), [
        'kube-system/calico-node-tier[DaemonSet]',
        'kube-system/ibm-keepalived-watcher[DaemonSet]',
        'kube-system/ibm-kube-fluentd-with-tier[DaemonSet]',
      ]);
      assert.ok(actual.includes('10.0.0.0-10.255.255.255[External] => kube-system/calico-node-tier[DaemonSet] : All Connections'));
    },
  );
});
