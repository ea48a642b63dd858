// "Convert to Gateway API" as the analysis worker answers it: the Ingresses of a file, or one
// Ingress, become a Gateway and HTTPRoutes whose comment header carries the probe comparison and
// says where Ingress and the Gateway API cannot mean the same.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { DEFAULT_LIMITS, defaultSettings } from '../../src/engine';
import { AnalysisService } from '../../src/extension/analysis/service';
import type { ConvertResult } from '../../src/extension/analysis/gatewayConvert';
import type { IngressPlace } from '../../src/extension/analysis/gatewayConvert';
import { lineOf } from '../helpers';

function files(...dirs: string[]) {
  return dirs.flatMap((dir) => {
    const root = join(__dirname, '..', 'fixtures', dir);
    return readdirSync(root).map((f) => ({ path: `${dir}/${f}`, text: readFileSync(join(root, f), 'utf8') }));
  });
}

function service(...dirs: string[]): AnalysisService {
  const s = new AnalysisService();
  s.handle({
    type: 'analyze',
    folder: 'f',
    reset: true,
    changed: files(...dirs),
    removed: [],
    options: { settings: defaultSettings(), settingsDiagnostics: [], limits: DEFAULT_LIMITS },
  });
  return s;
}

const ask = (s: AnalysisService, args: object) =>
  s.handle({ type: 'query', folder: 'f', name: 'convertToGatewayApi', args }) as ConvertResult | { error: string };

describe('Convert to Gateway API (worker)', () => {
  it("a file's Ingresses: the Gateway and HTTPRoutes, with what lands differently and what cannot mean the same in the header", () => {
    const r = ask(service('migrate-tricky'), { file: 'migrate-tricky/ingress.yaml' });
    assert.ok(!('error' in r), JSON.stringify(r));
    assert.equal(r.subject, 'the Ingresses of migrate-tricky/ingress.yaml');
    assert.deepEqual(r.ingresses.sort(), ['shop/api', 'shop/tenants']);
    assert.match(r.text, /^# Gateway API for the Ingresses of migrate-tricky\/ingress\.yaml/);
    assert.match(
      r.text,
      /# Proof: 2 of \d+ probe requests land differently:\n# {3}http:\/\/a\.probe\.tenants\.example\.com\/\n# {5}Ingress: unresolved\n# {5}Gateway: Service shop\/web/,
    );
    assert.match(r.text, /# {3}- Ingress shop\/tenants: host \*\.tenants\.example\.com: an Ingress wildcard covers one label/);
    assert.match(r.text, /# {3}- Ingress shop\/tenants: annotation nginx\.ingress\.kubernetes\.io\/proxy-body-size: 8m has no translation/);
    // The YAML after the header parses into the generated documents: only this file's Ingresses.
    const docs = r.text.split(/^---$/m).map((d) => load(d) as { kind: string; metadata: { name: string } });
    assert.deepEqual(
      docs.map((d) => `${d.kind} ${d.metadata.name}`),
      ['Gateway nginx-gateway', 'HTTPRoute api', 'HTTPRoute tenants'],
    );
    assert.equal(r.differ.length, 2);
  });

  it('one Ingress (the quick fix): only its routes; all probes alike; ImplementationSpecific said', () => {
    const text = readFileSync(join(__dirname, '..', 'fixtures', 'migrate-tricky', 'ingress.yaml'), 'utf8')
      .replace(
        /nginx\.ingress\.kubernetes\.io\/use-regex: "true"\n\s+nginx\.ingress\.kubernetes\.io\/rewrite-target: \/\$2/,
        'kubernetes.io/description: plain',
      )
      .replace('/v1(/|$)(.*)', '/v1');
    const s = new AnalysisService();
    s.handle({
      type: 'analyze',
      folder: 'f',
      reset: true,
      changed: [...files('migrate-tricky').filter((f) => !f.path.endsWith('ingress.yaml')), { path: 'ingress.yaml', text }],
      removed: [],
      options: { settings: defaultSettings(), settingsDiagnostics: [], limits: DEFAULT_LIMITS },
    });
    const r = ask(s, { ingress: 'shop/api' });
    assert.ok(!('error' in r), JSON.stringify(r));
    // ingress-nginx reads ImplementationSpecific /v1 as nginx's string prefix, so /v1x reaches the
    // backend; PathPrefix is element-wise: the proof shows the one probe where they part.
    assert.deepEqual(r.differ, [{ probe: 'http://api.example.com/v1x', old: 'Service shop/api', new: 'answer 404' }]);
    assert.match(r.text, /Ingress shop\/api: path \/v1: ImplementationSpecific is translated as PathPrefix/);
    assert.ok(!r.text.includes('tenants'), r.text);
    const places = s.handle({ type: 'query', folder: 'f', name: 'ingressesIn', args: { file: 'ingress.yaml' } }) as IngressPlace[];
    assert.deepEqual(
      places.map((p) => `${p.namespace}/${p.name} ${p.kind.line} ${p.nameRange.line}`),
      [
        `shop/api ${lineOf(text, 'kind: Ingress', 1)} ${lineOf(text, 'name: api')}`,
        `shop/tenants ${lineOf(text, 'kind: Ingress')} ${lineOf(text, 'name: tenants')}`,
      ],
    );
  });

  it("beside another Ingress of the class: the probes that one answers are left to it, this file's are still compared", () => {
    const r = ask(service('migrate-tricky', 'migrate'), { file: 'migrate-tricky/ingress.yaml' });
    assert.ok(!('error' in r), JSON.stringify(r));
    assert.ok(r.probes >= 4, `${r.probes} probes`);
    // migrate/'s default backend answers a.probe.tenants.example.com on both sides of the real cluster: not this conversion's probe.
    assert.deepEqual(r.differ, []);
    assert.ok(!r.text.includes('shop.example.com'), 'routes of the Ingress left out');
  });

  it('says why when there is nothing to convert', () => {
    assert.deepEqual(ask(service('migrate'), { file: 'migrate/apps.yaml' }), { error: 'migrate/apps.yaml has no Ingress to convert' });
    assert.deepEqual(ask(service('migrate'), { ingress: 'shop/nope' }), { error: 'there is no Ingress shop/nope' });
  });
});
