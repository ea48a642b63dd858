// Same manifests and settings, same bytes (design.md): IPs, names, endpoints and diagnostics must
// not depend on run, file order, or a warm parse cache.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { analyzeWorkspace, ParseCache, type InputFile } from '../../src/engine';
import { analysisJson } from '../../src/cli/analyzeFormat';
import { dnsJson } from '../../src/cli/dnsFormat';
import { docs, settingsFrom, svc, workload } from '../helpers';

const SHOP = join(__dirname, '..', '..', 'examples', 'shop');
const FILES: InputFile[] = [
  ...readdirSync(SHOP)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ path: `examples/shop/${f}`, text: readFileSync(join(SHOP, f), 'utf8') })),
  {
    path: 'extra/agents.yaml',
    text: docs(
      workload({ kind: 'DaemonSet', name: 'agent', namespace: 'ops', ports: [{ name: 'metrics', containerPort: 9100 }] }),
      svc({
        name: 'agent',
        namespace: 'ops',
        type: 'NodePort',
        ports: [{ name: 'metrics', port: 9100, targetPort: 'metrics' }],
        extra: 'externalTrafficPolicy: Local',
      }),
    ),
  },
  {
    path: 'extra/lb.yaml',
    text: docs(
      workload({
        name: 'gw',
        namespace: 'ops',
        replicas: 4,
        ports: [{ containerPort: 443 }],
        env: { UP: 'http://agent.ops:9100', BAD: 'http://nowhere:1' },
      }),
      svc({ name: 'gw', namespace: 'ops', type: 'LoadBalancer', ports: [{ port: 443 }] }),
    ),
  },
  {
    path: 'extra/jobs.yaml',
    text: docs(
      workload({ kind: 'CronJob', name: 'report', namespace: 'ops' }),
      workload({ kind: 'Job', name: 'migrate', namespace: 'ops', spec: 'parallelism: 3' }),
      workload({ kind: 'StatefulSet', name: 'kv', namespace: 'ops', replicas: 3, spec: 'serviceName: kv' }),
      svc({ name: 'kv', namespace: 'ops', clusterIP: 'None' }),
    ),
  },
  { path: 'extra/broken.yaml', text: 'apiVersion: v1\nkind: [\n---\n' + svc({ name: 'dup', namespace: 'ops', selector: { app: 'gww' } }) },
];
const SETTINGS = settingsFrom(
  'kubeProxyMode: ipvs\nnodes:\n  - {name: a, ip: 10.0.0.1}\n  - {name: b, ip: 10.0.0.2, labels: {zone: x}}\n  - {name: c, ip: 10.0.0.3}\n  - {name: d, ip: 10.0.0.4}\n',
);

/** Everything the CLI prints for analyze --format json, plus a few lookups, as bytes. */
function bytes(files: InputFile[], cache?: ParseCache): string {
  const a = analyzeWorkspace(files, { settings: SETTINGS, ...(cache ? { cache } : {}) });
  const lookups = ['backend.shop', 'postgres', 'kv-1.kv.ops', 'agent.ops', 'nowhere', 'www.example.org'].map((n) =>
    dnsJson(a.dns.resolve(n, a.cluster.pods.find((p) => p.namespace === 'shop') ?? { namespace: 'shop' })),
  );
  return JSON.stringify({ analysis: analysisJson(a), lookups });
}

describe('determinism', () => {
  const reference = bytes(FILES);

  it('the reference workspace exercises pods, services and diagnostics', () => {
    const parsed = JSON.parse(reference) as { analysis: { pods: unknown[]; services: unknown[]; diagnostics: unknown[] } };
    assert.ok(parsed.analysis.pods.length > 20);
    assert.ok(parsed.analysis.services.length > 6);
    assert.ok(parsed.analysis.diagnostics.length >= 3);
  });

  it('analysing the same inputs twice gives identical JSON bytes', () => {
    assert.equal(bytes(FILES), reference);
  });

  it('the order files are given in does not matter', () => {
    assert.equal(bytes([...FILES].reverse()), reference);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(FILES, { minLength: FILES.length, maxLength: FILES.length }),
        (shuffled) => bytes(shuffled) === reference,
      ),
      { numRuns: 25, seed: 42 },
    );
  });

  it('a warm parse cache gives the same bytes as a cold parse', () => {
    const cache = new ParseCache();
    assert.equal(bytes(FILES, cache), reference);
    assert.equal(bytes([...FILES].reverse(), cache), reference);
  });
});
