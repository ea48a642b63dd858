// `analyze --format sarif` against the SARIF 2.1.0 JSON schema (the copy @microsoft/jest-sarif ships,
// so nothing is fetched), its rule metadata, and `--fail-on`, through the built CLI.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { cli, ensureBuilt, json, ROOT } from './run';
import { CATALOGUE } from '../../src/engine';

const SCHEMA = join(ROOT, 'node_modules', '@microsoft', 'jest-sarif', 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json');

function validator() {
  // The official schema is draft-04, and its language pattern is not a valid `u`-flag regex.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')) as object);
}

interface Rule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  helpUri: string;
  help: { text: string; markdown: string };
  defaultConfiguration: { level: string; enabled: boolean };
}
interface Result {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: Array<{
    physicalLocation: {
      artifactLocation: { uri: string; uriBaseId?: string };
      region: { startLine: number; startColumn: number; endLine?: number; endColumn?: number };
    };
  }>;
  relatedLocations?: unknown[];
  fixes?: unknown[];
}
interface Sarif {
  $schema: string;
  version: string;
  runs: Array<{
    tool: { driver: { name: string; version: string; rules: Rule[] } };
    originalUriBaseIds: Record<string, { uri: string }>;
    results: Result[];
  }>;
}

const sarifOf = (...args: string[]) => {
  const r = cli('analyze', ...args, '--format', 'sarif');
  return { status: r.status, sarif: json<Sarif>(r) };
};

describe('cli analyze --format sarif', () => {
  before(() => ensureBuilt());
  const validate = validator();

  it('the schema rejects what SARIF forbids (the validator really validates)', () => {
    assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] }), false);
    assert.equal(validate({ version: '2.0.0', runs: [] }), false);
    assert.equal(
      validate({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: { text: 'm' }, level: 'fatal' }] }] }),
      false,
    );
  });

  for (const input of [
    'test/fixtures/errors',
    'test/fixtures/warnings',
    'examples/shop',
    'test/fixtures/kustomize/overlays/staging',
    'test/fixtures/clean',
  ]) {
    it(`${input}: valid SARIF 2.1.0`, () => {
      const { sarif } = sarifOf(input);
      const ok = validate(sarif);
      assert.ok(ok, JSON.stringify(validate.errors?.slice(0, 5), null, 1));
      assert.equal(sarif.version, '2.1.0');
    });
  }

  it('one rule per catalogue code, with name, descriptions, help link and default level', () => {
    const { sarif } = sarifOf('test/fixtures/errors');
    const rules = sarif.runs[0]?.tool.driver.rules ?? [];
    assert.deepEqual(
      rules.map((r) => r.id),
      Object.keys(CATALOGUE),
    );
    const byId = new Map(rules.map((r) => [r.id, r]));
    const r = byId.get('service-no-endpoints');
    assert.ok(r);
    assert.equal(r.name, 'ServiceNoEndpoints');
    assert.equal(r.shortDescription.text, 'A Service selects no pod, so connections to it are refused.');
    assert.ok(
      r.fullDescription.text.startsWith(CATALOGUE['service-no-endpoints'].summary) &&
        r.fullDescription.text.length > r.shortDescription.text.length,
    );
    assert.equal(r.helpUri, CATALOGUE['service-no-endpoints'].docs);
    assert.match(r.help.markdown, /\]\(https:\/\/kubernetes\.io\/docs\/concepts\/services-networking\/service\/#defining-a-service\)/);
    assert.deepEqual(r.defaultConfiguration, { level: 'warning', enabled: true });
    assert.equal(byId.get('selector-mismatch')?.defaultConfiguration.level, 'error');
    assert.equal(byId.get('ingress-controller-implicit')?.defaultConfiguration.level, 'note');
    for (const rule of rules) assert.match(rule.helpUri, /^https:\/\//);
  });

  it('results point at the rule by index, at the file relative to %SRCROOT%, with the exact region', () => {
    const { sarif } = sarifOf('test/fixtures/errors');
    const run = sarif.runs[0];
    assert.ok(run);
    assert.equal(run.originalUriBaseIds['%SRCROOT%']?.uri, `file://${ROOT}/`);
    const sel = run.results.find((x) => x.ruleId === 'selector-mismatch');
    assert.ok(sel);
    assert.equal(run.tool.driver.rules[sel.ruleIndex]?.id, 'selector-mismatch');
    assert.equal(sel.level, 'error');
    const loc = sel.locations[0]?.physicalLocation;
    assert.deepEqual(loc?.artifactLocation, { uri: 'test/fixtures/errors/app.yaml', uriBaseId: '%SRCROOT%' });
    assert.equal(loc?.region.startLine, 42);
    assert.equal(loc?.region.startColumn, 3);
  });

  it('quick fixes and related locations travel as SARIF fixes and relatedLocations', () => {
    const { sarif } = sarifOf('test/fixtures/errors');
    const results = sarif.runs[0]?.results ?? [];
    const withFix = results.filter((x) => x.fixes);
    const json = JSON.parse(cli('analyze', 'test/fixtures/errors', '--format', 'json').stdout) as {
      diagnostics: Array<{ fixes?: unknown[]; related?: unknown[] }>;
    };
    assert.equal(withFix.length, json.diagnostics.filter((d) => d.fixes).length);
    assert.equal(results.filter((x) => x.relatedLocations).length, json.diagnostics.filter((d) => d.related).length);
  });
});

describe('cli analyze --fail-on', () => {
  before(() => ensureBuilt());
  // test/fixtures/warnings has warnings and infos but no error.
  const levels = () =>
    (
      JSON.parse(cli('analyze', 'test/fixtures/warnings', '--format', 'json').stdout) as { diagnostics: Array<{ severity: string }> }
    ).diagnostics.map((d) => d.severity);

  it('default (error): 0 without errors, 1 with', () => {
    assert.ok(!levels().includes('error') && levels().includes('warning'), 'fixture has warnings only');
    assert.equal(cli('analyze', 'test/fixtures/warnings').status, 0);
    assert.equal(cli('analyze', 'test/fixtures/errors').status, 1);
  });

  it('warning and info fail on lesser problems; never never fails', () => {
    assert.equal(cli('analyze', 'test/fixtures/warnings', '--fail-on', 'warning').status, 1);
    assert.equal(cli('analyze', 'test/fixtures/warnings', '--fail-on', 'info').status, 1);
    assert.equal(cli('analyze', 'test/fixtures/errors', '--fail-on', 'never').status, 0);
    const cleanHasAny =
      (JSON.parse(cli('analyze', 'test/fixtures/clean', '--format', 'json').stdout) as { diagnostics: unknown[] }).diagnostics.length > 0;
    assert.equal(cli('analyze', 'test/fixtures/clean', '--fail-on', 'info').status, cleanHasAny ? 1 : 0);
  });

  it('an unknown level is bad usage (exit 2, one line)', () => {
    const r = cli('analyze', 'examples/shop', '--fail-on', 'fatal');
    assert.equal(r.status, 2);
    assert.match(r.stderr.trim(), /^kube-netsim: .*fatal/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });
});

describe('cli analyze with Kustomize and Helm', () => {
  before(() => ensureBuilt());

  it('a PATH that is a kustomization renders it, reading its bases from outside the PATH', () => {
    const r = cli('analyze', 'test/fixtures/kustomize/overlays/prod', '--format', 'json');
    const out = JSON.parse(r.stdout) as {
      services: Array<{ namespace: string; name: string; endpoints: unknown[] }>;
      diagnostics: Array<{ code: string; file: string; line: number }>;
    };
    assert.deepEqual(
      out.services
        .filter((s) => s.namespace === 'shop-prod')
        .map((s) => `${s.name}:${s.endpoints.length}`)
        .sort(),
      ['prod-backend:4', 'prod-frontend:3'],
    );
    assert.deepEqual(
      out.diagnostics.filter((d) => d.code === 'dns-name-unresolved').map((d) => `${d.file}:${d.line}`),
      ['test/fixtures/kustomize/base/frontend.yaml:22'],
    );
    assert.equal(r.status, 1);
  });

  it('--kustomize DIR selects the overlay; a folder without kustomization.yaml is bad usage', () => {
    const r = cli('analyze', 'test/fixtures/kustomize', '--kustomize', 'test/fixtures/kustomize/overlays/staging', '--format', 'json');
    const out = JSON.parse(r.stdout) as { services: Array<{ name: string }> };
    assert.ok(out.services.some((s) => s.name === 'backend-stg'));
    const bad = cli('analyze', 'test/fixtures/kustomize', '--kustomize', 'test/fixtures/kustomize/overlays');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--kustomize test\/fixtures\/kustomize\/overlays: not a folder with kustomization.yaml/);
  });

  it('--helm without helm on PATH reports the chart as not rendered, and still simulates the rest', () => {
    const r = cli('analyze', 'test/fixtures/helm', '--helm', '--format', 'json');
    const out = JSON.parse(r.stdout) as { diagnostics: Array<{ code: string; message: string }>; services: Array<{ name: string }> };
    const helm = out.diagnostics.filter((d) => d.code.startsWith('helm'));
    assert.equal(helm.length, 1);
    if (
      process.env['PATH']?.split(':').some((d) => {
        try {
          return readFileSync(join(d, 'helm')).length > 0;
        } catch {
          return false;
        }
      })
    )
      return;
    assert.match(helm[0]?.message ?? '', /helm is not on PATH/);
    assert.ok(out.services.some((s) => s.name === 'plain'));
  });
});
