// The connectivity list's `{gateway/NAMESPACE/NAME}` lines: what each Gateway's attached routes
// forward to (resolved, weighted backendRefs; not the rules that only redirect), after the
// NetworkPolicy that judges the data plane's hop to the backends; and the diff of two lists.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectivityList, diffConnectivity } from '../../src/engine';
import { analyze } from '../helpers';

const DIR = join(__dirname, '..', 'fixtures', 'gateway');
const FIXTURE = Object.fromEntries(readdirSync(DIR).map((f) => [`gateway/${f}`, readFileSync(join(DIR, f), 'utf8')]));

function gatewayLines(files: Record<string, string>): string[] {
  const a = analyze(files);
  return connectivityList(a.policies, { gateways: a.gateway })
    .entries.filter((e) => e.src.startsWith('{gateway/'))
    .map((e) => `${e.src} => ${e.dst} : ${e.conn.toString()}`);
}

describe('matrix: {gateway/NS/NAME} lines', () => {
  it('one line per workload a Gateway forwards to, on the target port, beside the other lines', () => {
    assert.deepEqual(gatewayLines(FIXTURE), [
      '{gateway/infra/public} => data/catalog[Deployment] : TCP 9090',
      '{gateway/infra/public} => shop/api-canary[Deployment] : TCP 8080',
      '{gateway/infra/public} => shop/api[Deployment] : TCP 8080',
      '{gateway/infra/public} => shop/web[Deployment] : TCP 8080',
    ]);
    const a = analyze(FIXTURE);
    assert.equal(
      connectivityList(a.policies).entries.some((e) => e.src.startsWith('{gateway/')),
      false,
      'only when the Gateway model is given',
    );
  });

  it('a NetworkPolicy that admits other proxies than the Gateway’s removes its lines to the pods it isolates', () => {
    const other = {
      ...FIXTURE,
      'gateway/policies.yaml': FIXTURE['gateway/policies.yaml']!.replace('envoy-gateway-system', 'ingress-nginx'),
    };
    assert.deepEqual(gatewayLines(other), ['{gateway/infra/public} => data/catalog[Deployment] : TCP 9090']);
    const a = analyze(FIXTURE);
    const b = analyze(other);
    const d = diffConnectivity(
      connectivityList(a.policies, { gateways: a.gateway }),
      connectivityList(b.policies, { gateways: b.gateway }),
    );
    assert.deepEqual(
      d.closed.filter((e) => e.src.startsWith('{gateway/')).map((e) => e.dst),
      ['shop/api-canary[Deployment]', 'shop/api[Deployment]', 'shop/web[Deployment]'],
    );
  });

  it('a backendRef of weight 0 forwards nothing', () => {
    const routes = FIXTURE['gateway/routes.yaml']!;
    assert.match(routes, /weight: 90/);
    const lines = gatewayLines({ ...FIXTURE, 'gateway/routes.yaml': routes.replace('weight: 90', 'weight: 0') });
    assert.ok(!lines.some((l) => l.includes('shop/api[Deployment]')), lines.join('\n'));
    assert.ok(lines.includes('{gateway/infra/public} => shop/api-canary[Deployment] : TCP 8080'), lines.join('\n'));
  });
});
