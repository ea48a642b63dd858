// Silencing one diagnostic code or one object (issue 16, item 8): kube-netsim.yaml's `ignore:`
// list and `# kube-netsim: ignore CODE` comments. Suppressed diagnostics are left out and counted.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeWorkspace, parseSettings } from '../../src/engine';
import { analyze, codes, expectDiagnostic, settingsFrom, where, yaml } from '../helpers';

// Two Services that select no pod: each gets service-no-endpoints at its selector (line 7 of each document).
const lonely = (name: string, ns = 'shop') => yaml`
  apiVersion: v1
  kind: Service
  metadata:
    name: ${name}
    namespace: ${ns}
  spec:
    selector: {app: ${name}}
    ports: [{port: 80}]
`;
const two = `${lonely('legacy')}---\n${lonely('other')}`;

const settingsDiagnostics = (text: string) =>
  parseSettings('kube-netsim.yaml', text).diagnostics.map((d) => `${d.range.line}:${d.range.column} ${d.message}`);

describe('ignore: the kube-netsim.yaml list', () => {
  it('without rules, both Services are reported (the baseline the rules below silence)', () => {
    const a = analyze({ 'k8s/svc.yaml': two });
    assert.deepEqual(where(a, 'service-no-endpoints'), ['k8s/svc.yaml:7:3', 'k8s/svc.yaml:16:3']);
    assert.equal(a.suppressed.length, 0);
  });

  it('a code silences it everywhere, and only it', () => {
    const broken = `${two}  type: Sideways\n`;
    const a = analyze({ 'k8s/svc.yaml': broken }, 'ignore:\n  - service-no-endpoints\n');
    assert.deepEqual(where(a, 'service-no-endpoints'), []);
    assert.equal(a.suppressed.length, 2);
    assert.deepEqual(codes(a), ['manifest-invalid'], 'other codes are still reported');
  });

  it('{code, resource} silences it on one object, with or without the namespace', () => {
    for (const resource of ['Service/shop/legacy', 'Service/legacy']) {
      const a = analyze({ 'k8s/svc.yaml': two }, `ignore:\n  - {code: service-no-endpoints, resource: ${resource}}\n`);
      assert.deepEqual(where(a, 'service-no-endpoints'), ['k8s/svc.yaml:16:3'], resource);
    }
    const wrongNs = analyze({ 'k8s/svc.yaml': two }, 'ignore:\n  - {code: service-no-endpoints, resource: Service/prod/legacy}\n');
    assert.equal(where(wrongNs, 'service-no-endpoints').length, 2);
  });

  it('{resource} alone silences every code about that object, also those that name no resource', () => {
    const broken = `${lonely('legacy')}  type: Sideways\n---\n${lonely('other')}`;
    const before = analyze({ 'svc.yaml': broken });
    assert.ok(codes(before).includes('manifest-invalid'));
    const a = analyze({ 'svc.yaml': broken }, 'ignore:\n  - resource: Service/shop/legacy\n');
    assert.deepEqual(
      a.diagnostics.filter((d) => d.range.line <= 9).map((d) => d.code),
      [],
    );
    assert.deepEqual(where(a, 'service-no-endpoints'), ['svc.yaml:17:3']);
  });

  it('{code, file} silences it in one file or folder, matched by whole path segments', () => {
    const files = { 'k8s/legacy/a.yaml': lonely('a'), 'k8s/current/b.yaml': lonely('b'), 'k8s/legacyish/c.yaml': lonely('c') };
    const folder = analyze(files, 'ignore:\n  - {code: service-no-endpoints, file: legacy/}\n');
    assert.deepEqual(where(folder, 'service-no-endpoints'), ['k8s/current/b.yaml:7:3', 'k8s/legacyish/c.yaml:7:3']);
    const file = analyze(files, 'ignore:\n  - {file: k8s/current/b.yaml}\n');
    assert.deepEqual(where(file, 'service-no-endpoints'), ['k8s/legacy/a.yaml:7:3', 'k8s/legacyish/c.yaml:7:3']);
  });

  it('bad entries are settings-invalid at their place and silence nothing', () => {
    const text = yaml`
      ignore:
        - service-no-endpoint
        - {code: hardcoded-ip, resouce: Service/x}
        - {code: 42}
        - {resource: backend}
        - {}
        - [a]
    `;
    assert.deepEqual(settingsDiagnostics(text), [
      '2:5 `service-no-endpoint` is not a kube-netsim diagnostic code; did you mean service-no-endpoints?',
      '3:26 Unknown key `resouce` in an ignore entry; use code, resource and file.',
      '4:12 `code` must be a diagnostic code (a string such as service-no-endpoints).',
      '5:16 `resource` must be Kind/NAMESPACE/NAME or Kind/NAME (e.g. Service/shop/backend), as diagnostics name objects.',
      '6:5 An ignore entry needs a code, a resource or a file (an empty one would silence everything).',
      '7:5 Each `ignore` entry is a diagnostic code or a mapping {code, resource, file}.',
    ]);
    assert.equal(parseSettings('kube-netsim.yaml', text).settings.ignore, undefined);
    assert.deepEqual(settingsDiagnostics('ignore: service-no-endpoints\n'), [
      '1:9 `ignore` must be a list of diagnostic codes or of {code, resource, file} entries.',
    ]);
    // A misspelt code silences nothing: the diagnostic it aimed at stays.
    const a = analyzeWorkspace([{ path: 'svc.yaml', text: two }], {
      ...parseSettings('kube-netsim.yaml', 'ignore: [service-no-endpoint]\n'),
      settingsDiagnostics: parseSettings('kube-netsim.yaml', 'ignore: [service-no-endpoint]\n').diagnostics,
    });
    assert.equal(where(a, 'service-no-endpoints').length, 2);
    expectDiagnostic(a, 'settings-invalid', 'kube-netsim.yaml', 1, 10);
  });
});

describe('ignore: # kube-netsim: ignore comments', () => {
  it('on the line of the field at fault', () => {
    const text = two.replace('selector: {app: legacy}', 'selector: {app: legacy}  # kube-netsim: ignore service-no-endpoints');
    const a = analyze({ 'svc.yaml': text });
    assert.deepEqual(where(a, 'service-no-endpoints'), ['svc.yaml:16:3']);
    assert.equal(a.suppressed.length, 1);
  });

  it('on a line of its own just above it, and not two lines above', () => {
    const above = two.replace('  selector: {app: legacy}', '  # kube-netsim: ignore service-no-endpoints\n  selector: {app: legacy}');
    assert.deepEqual(where(analyze({ 'svc.yaml': above }), 'service-no-endpoints'), ['svc.yaml:17:3']);
    const far = two.replace(
      'spec:\n  selector: {app: legacy}',
      '# kube-netsim: ignore service-no-endpoints\nspec:\n  selector: {app: legacy}',
    );
    assert.equal(where(analyze({ 'svc.yaml': far }), 'service-no-endpoints').length, 2);
  });

  it("at a document's top, for that whole object and not the next one", () => {
    const top = `# Legacy Service, kept until the migration.\n# kube-netsim: ignore service-no-endpoints, hardcoded-ip\n${two}`;
    assert.deepEqual(where(analyze({ 'svc.yaml': top }), 'service-no-endpoints'), ['svc.yaml:18:3']);
    const marker = two.replace('---\n', '--- # kube-netsim: ignore service-no-endpoints\n');
    assert.deepEqual(where(analyze({ 'svc.yaml': marker }), 'service-no-endpoints'), ['svc.yaml:7:3']);
  });

  it('`all` silences every code there; other codes are not silenced by a named one', () => {
    const broken = two.replace('ports: [{port: 80}]', 'ports: [{port: 80}]\n  type: Sideways');
    const named = analyze({ 'svc.yaml': `# kube-netsim: ignore service-no-endpoints\n${broken}` });
    assert.ok(codes(named).includes('manifest-invalid'));
    const all = analyze({ 'svc.yaml': `# kube-netsim: ignore all\n${broken}` });
    assert.deepEqual(
      all.diagnostics.filter((d) => d.range.line <= 10).map((d) => d.code),
      [],
    );
  });

  it('works in the settings that the editor passes too (the same engine call)', () => {
    const a = analyzeWorkspace([{ path: 'svc.yaml', text: two }], { settings: settingsFrom('ignore: [service-no-endpoints]\n') });
    assert.equal(a.suppressed.length, 2);
  });
});
