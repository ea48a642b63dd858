// kubectl port-forward traced: the target forms kubectl takes, the pod it picks (GetFirstPod's
// sort.Reverse(ActivePods)), the port it dials (translateServicePortToTargetPort), the errors it
// prints, the hops, and the same connection from a pod.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseForwardTarget, tracePacket, tracePortForward, renderHops } from '../../src/engine';
import { deployment, from, service, simulate, stream } from '../traceFixtures';

const DENY = [
  'apiVersion: networking.k8s.io/v1',
  'kind: NetworkPolicy',
  'metadata: {name: default-deny, namespace: default}',
  'spec: {podSelector: {}, policyTypes: [Ingress]}',
].join('\n');

/** A bare Pod with a status, as a cluster snapshot lists it. */
function livePod(
  name: string,
  o: { ready?: boolean; phase?: string; readySince?: string; restarts?: number; created?: string; node?: string },
) {
  return [
    'apiVersion: v1',
    'kind: Pod',
    `metadata: {name: ${name}, namespace: default, labels: {app: web}${o.created ? `, creationTimestamp: "${o.created}"` : ''}}`,
    'spec:',
    `  nodeName: ${o.node ?? 'node-1'}`,
    '  containers: [{name: web, image: example/web, ports: [{name: http, containerPort: 8080}]}]',
    'status:',
    `  phase: ${o.phase ?? 'Running'}`,
    `  conditions: [{type: Ready, status: "${o.ready === false ? 'False' : 'True'}"${o.readySince ? `, lastTransitionTime: "${o.readySince}"` : ''}}]`,
    `  containerStatuses: [{name: web, ready: ${o.ready !== false}, restartCount: ${o.restarts ?? 0}}]`,
  ].join('\n');
}

describe('port-forward targets', () => {
  it('takes the forms kubectl port-forward names', () => {
    const t = (s: string) => {
      const r = parseForwardTarget(s);
      assert.ok(r.ok, s);
      return r.target;
    };
    assert.deepEqual(
      [t('svc/api:80')].map((x) => [x.resource, x.namespace, x.name, x.local, x.remote]),
      [['Service', 'default', 'api', 80, 80]],
    );
    const ns = t('service/api.shop:8080:http');
    assert.deepEqual([ns.namespace, ns.name, ns.local, ns.remote], ['shop', 'api', 8080, 'http']);
    assert.equal(t('svc/shop/api:80').namespace, 'shop');
    const pod = t('pod/shop/web-0:5000');
    assert.deepEqual([pod.resource, pod.namespace, pod.name], ['Pod', 'shop', 'web-0']);
    assert.equal(t('deploy/shop/web:5000').resource, 'Deployment');
    // kubectl's `:5000` (a random local port) after the target's own colon.
    const random = t('deploy/shop/web::5000');
    assert.deepEqual([random.randomLocal, random.local, random.remote], [true, undefined, 5000]);
  });

  it('rejects what kubectl would not take, saying which form is expected', () => {
    for (const bad of ['svc/api', 'pod/web-0:80', 'svc/api:0', 'svc/api:1:2:3', 'svc/api:Bad_Name', 'ing/x:80', 'deploy/a.b:80']) {
      const r = parseForwardTarget(bad);
      assert.equal(r.ok, false, bad);
      if (!r.ok) assert.match(r.message, /svc\/|PORT|port/, bad);
    }
  });
});

describe('tracePortForward', () => {
  it('reaches a pod behind a default-deny Service, while the same connection from a pod is dropped', () => {
    const a = simulate(stream(deployment('api', { replicas: 2 }), service('api'), deployment('client', { ports: [] }), DENY));
    const pf = tracePortForward(a, 'svc/api:80');
    assert.equal(pf.verdict, 'delivered');
    assert.deepEqual(
      renderHops(pf).map((h) => h.step),
      ['kubectl', 'api-server', 'kubelet', 'deliver'],
    );
    assert.equal(pf.sourceIPAtDestination, '127.0.0.1');
    assert.equal(pf.destination?.kind === 'pod' ? pf.destination.port : 0, 8080);
    assert.ok(pf.portForward?.bypassed.some((b) => b.startsWith('NetworkPolicy')));
    assert.ok(pf.portForward?.bypassed.some((b) => b.startsWith('Service load balancing')));
    const normal = tracePacket(a, from(a, 'default/client'), 'api.default:80');
    assert.equal(normal.verdict, 'dropped');
    assert.equal(pf.portForward?.fromPod?.verdict, 'dropped');
    assert.equal(pf.portForward?.fromPod?.reason, normal.reason);
    assert.equal(pf.portForward?.fromPod?.source, 'default/Deployment/client');
    assert.equal(pf.portForward?.command, 'kubectl port-forward -n default svc/api 80');
  });

  it('says the connection from a pod gets through too when nothing blocks it', () => {
    const a = simulate(stream(deployment('api'), service('api'), deployment('client', { ports: [] })));
    const pf = tracePortForward(a, 'svc/api:80');
    assert.equal(pf.portForward?.fromPod?.verdict, 'delivered');
    assert.equal(pf.portForward?.fromPod?.failing, 0);
  });

  it('picks the pod GetFirstPod picks: Running before Pending, Ready before not, ready longest, fewest restarts, oldest', () => {
    const pick = (...pods: string[]) => tracePortForward(simulate(stream(service('web'), ...pods)), 'svc/web:80').portForward?.pod;
    assert.equal(pick(livePod('a', { phase: 'Pending' }), livePod('b', {})), 'default/b');
    assert.equal(pick(livePod('a', { ready: false }), livePod('b', {})), 'default/b');
    assert.equal(
      pick(livePod('a', { readySince: '2026-01-02T00:00:00Z' }), livePod('b', { readySince: '2026-01-01T00:00:00Z' })),
      'default/b',
    );
    assert.equal(pick(livePod('a', { restarts: 3 }), livePod('b', { restarts: 1 })), 'default/b');
    assert.equal(pick(livePod('a', { created: '2026-02-01T00:00:00Z' }), livePod('b', { created: '2026-01-01T00:00:00Z' })), 'default/b');
    // All equal: the API server's list order (by name) stands.
    assert.equal(pick(livePod('b', {}), livePod('a', {})), 'default/a');
  });

  it('forwards to a not-ready pod when it is the only one, and says the Service would not', () => {
    const a = simulate(stream(service('web'), livePod('a', { ready: false })));
    const pf = tracePortForward(a, 'svc/web:80');
    assert.equal(pf.verdict, 'delivered');
    assert.match(renderHops(pf).at(-1)?.detail ?? '', /not Ready/);
  });

  it('turns a Service port into the pod port as kubectl does', () => {
    const a = simulate(
      stream(
        deployment('api', { ports: [{ name: 'http', containerPort: 8080 }] }),
        service('api', {
          ports: [
            { name: 'web', port: 80, targetPort: 'http' },
            { name: 'admin', port: 81, targetPort: 9000 },
          ],
        }),
        deployment('dbh', { ports: [{ containerPort: 5432 }] }),
        service('dbh', { ports: [{ port: 6000, targetPort: 5432 }], extra: ['  clusterIP: None'] }),
      ),
    );
    const named = tracePortForward(a, 'svc/api:web');
    assert.equal(named.portForward?.remotePort, 8080);
    assert.equal(named.portForward?.localPort, 80);
    assert.equal(tracePortForward(a, 'svc/api:81').portForward?.remotePort, 9000);
    assert.equal(tracePortForward(a, 'svc/api:7000:81').portForward?.localPort, 7000);
    assert.equal(tracePortForward(a, 'svc/api::81').portForward?.localPort, undefined);
    // A headless Service: kubectl ignores targetPort.
    assert.equal(tracePortForward(a, 'svc/dbh:6000').portForward?.remotePort, 6000);
    const missing = tracePortForward(a, 'svc/api:82');
    assert.equal(missing.verdict, 'unresolved');
    assert.match(missing.reason, /Service api does not have a service port 82/);
    assert.match(tracePortForward(a, 'svc/api:nope').reason, /does not have a named port 'nope'/);
  });

  it('follows pods and Deployments by their own names and selectors, and named pod ports', () => {
    const a = simulate(stream(deployment('api', { replicas: 2 }), livePod('solo', {})));
    const d = tracePortForward(a, 'deploy/default/api:http');
    assert.equal(d.verdict, 'delivered');
    assert.equal(d.portForward?.remotePort, 8080);
    assert.equal(d.portForward?.ranked.length, 2);
    const p = tracePortForward(a, 'pod/default/solo:9999');
    assert.equal(p.portForward?.pod, 'default/solo');
    assert.match(renderHops(p).at(-1)?.detail ?? '', /no container declares 9999/);
  });

  it('ends as kubectl fails: not found, no selector, no pod, not running, UDP', () => {
    const a = simulate(
      stream(
        service('nosel', { selector: null }),
        service('nobody'),
        service('dns', { selector: { app: 'dns' }, ports: [{ port: 53, protocol: 'UDP' }] }),
        deployment('dns', { ports: [{ containerPort: 53, protocol: 'UDP' }] }),
        service('stuck', { selector: { app: 'stuck' } }),
        deployment('stuck', { nodeName: 'no-such-node' }),
      ),
    );
    const t = (x: string) => tracePortForward(a, x);
    assert.deepEqual(
      [t('svc/gone:80').verdict, t('svc/gone:80').reason],
      ['unresolved', 'kubectl fails: Error from server (NotFound): services "gone" not found in namespace default'],
    );
    assert.equal(t('svc/nosel:80').verdict, 'unrouted');
    assert.match(t('svc/nosel:80').reason, /defined without a selector/);
    assert.equal(t('svc/nobody:80').verdict, 'unrouted');
    assert.match(t('svc/nobody:80').reason, /no pod matches/);
    assert.equal(t('svc/dns:53').verdict, 'refused');
    assert.match(t('svc/dns:53').reason, /UDP protocol is not supported/);
    assert.equal(t('svc/stuck:80').verdict, 'unrouted');
    assert.match(t('svc/stuck:80').reason, /pod is not running. Current status=Pending/);
    assert.equal(t('pod/default/x').verdict, 'unresolved');
  });
});
