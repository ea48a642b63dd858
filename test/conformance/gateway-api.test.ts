// Replays the open part of the Gateway API conformance suite (../shared/conformance/gateway-api):
// each test's manifests (base first) with the suite's {GATEWAY_CLASS_NAME} replaced by a class this
// test defines, every request case traced from outside the cluster as the CLI would send it
// (`--to URL`, `--header`, `--method`, `--via`), every route condition checked against the route
// status the model computes, and every listener status row against the Gateway's listeners.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { cli, ensureBuilt } from '../cli/run';
import { analyzeWorkspace, findSource, parseTarget, tracePacket, type Analysis, type TraceResult } from '../../src/engine';

// KUBE_NETSIM_GWCONF_DIR points the driver at another folder in the same format (a local transcription
// of more of the suite); the row counts below are then those of that folder, not checked.
const OPEN_DIR = join(__dirname, '..', '..', '..', 'shared', 'conformance', 'gateway-api');
const DIR = process.env.KUBE_NETSIM_GWCONF_DIR ?? OPEN_DIR;
const CLASS_NAME = 'kube-netsim-conformance';
const CLASS = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata:
  name: ${CLASS_NAME}
spec:
  controllerName: gateway.envoyproxy.io/gatewayclass-controller
`;

interface Request {
  scheme: 'http' | 'https' | 'grpc' | 'tls';
  port: number;
  host?: string | null;
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  sni?: string;
  grpc?: { service: string; method: string };
  echoSetResponseHeaders?: Record<string, string>;
}
interface Expect {
  status?: number;
  statusAnyOf?: number[];
  backend?: string | null;
  namespace?: string | null;
  redirect?: { scheme: string; host: string | null; port: number | null; path: string };
  location?: string;
  responseHeaders?: Record<string, string>;
  responseHeadersAnyOf?: Record<string, string[]>;
  absentResponseHeaders?: string[];
  weights?: Record<string, number> | Array<{ backend: string; weight: number }>;
  mirroredTo?: Array<{ backend: string }>;
  grpcCode?: string;
  backendTLS?: boolean;
  backendSNI?: string;
  connection?: string;
}
interface Case {
  index: number;
  name?: string;
  gateway: string;
  request: Request;
  expect: Expect;
  precondition?: { delete: Array<{ kind: string; namespace: string; name: string }> };
  expectRequest?: { path?: string; method?: string; host?: string; headers?: Record<string, string>; absentHeaders?: string[] };
}
interface Test {
  test: string;
  manifests: string[];
  gateway: string;
  cases: Case[];
}
interface Condition {
  test: string;
  routeKind: string;
  route: string;
  parent: string | null;
  condition: 'Accepted' | 'ResolvedRefs';
  status: 'True' | 'False';
  reason: string | null;
  check: string;
}
interface ListenerRow {
  test: string;
  gateway: string;
  listener: string | null;
  attachedRoutes: number;
  conditions?: Array<{ type: string; status: string; reason: string | null }>;
  supportedKinds?: Array<{ group: string; kind: string }>;
  check: string;
}

const read = <T>(name: string) => JSON.parse(readFileSync(join(DIR, name), 'utf8')) as T;
const tests = read<Test[]>('cases.json');
const conditions = read<Condition[]>('conditions.json');
const listenerRows = read<ListenerRow[]>('listener-status.json');

/** The documents of a manifest file, raw, so a precondition can delete one object. */
function documents(text: string): string[] {
  return text.split(/^---\s*$/m).filter((d) => d.trim() !== '');
}

/** The test's manifests as the simulation reads them: this test's GatewayClass first, then the suite's files in order. */
function inputFiles(t: Test, deleted: Case['precondition'] = undefined): Array<{ path: string; text: string }> {
  const gone = (doc: string) => {
    const o = load(doc) as { kind?: string; metadata?: { name?: string; namespace?: string } } | null;
    return (deleted?.delete ?? []).some((d) => o?.kind === d.kind && o.metadata?.name === d.name && o.metadata?.namespace === d.namespace);
  };
  const files = t.manifests.map((m) => {
    const text = readFileSync(join(DIR, m), 'utf8').split('{GATEWAY_CLASS_NAME}').join(CLASS_NAME);
    return {
      path: m,
      text: deleted
        ? documents(text)
            .filter((d) => !gone(d))
            .join('---\n')
        : text,
    };
  });
  return [{ path: 'gatewayclass.yaml', text: CLASS }, ...files];
}

function simulate(t: Test, deleted: Case['precondition'] = undefined): Analysis {
  return analyzeWorkspace(inputFiles(t, deleted));
}

const cache = new Map<string, Analysis>();
function analysisFor(t: Test, c?: Case): Analysis {
  if (c?.precondition) return simulate(t, c.precondition);
  let a = cache.get(t.test);
  if (!a) cache.set(t.test, (a = simulate(t)));
  return a;
}

const DEFAULT_PORT: Record<string, number> = { http: 80, https: 443, grpc: 80, tls: 443 };

/** The CLI arguments a user would give for this request: --to, --header, --method, --via. */
interface Args {
  to: string;
  headers: Array<{ name: string; value: string }>;
  method?: string;
  via?: string;
}

function traceArgs(a: Analysis, c: Case): Args {
  const r = c.request;
  const [ns, name] = c.gateway.split('/') as [string, string];
  const gw = a.gateway.findGateway(ns, name);
  assert.ok(gw, `Gateway ${c.gateway} exists`);
  const address = gw.addresses[0];
  assert.ok(address, `Gateway ${c.gateway} has an address`);
  const port = r.port === DEFAULT_PORT[r.scheme] ? '' : `:${r.port}`;
  const path = r.path ?? '/';
  const headers = Object.entries(r.headers ?? {}).map(([n, value]) => ({ name: n, value }));
  const method = r.method && r.method !== 'GET' && r.scheme !== 'grpc' ? { method: r.method } : {};
  if (r.scheme === 'tls') return { to: `tls://${r.sni}:${r.port}`, headers, via: c.gateway };
  if (r.scheme === 'https') {
    const sni = r.sni ?? r.host ?? address;
    if (r.host && r.host !== sni) headers.push({ name: 'Host', value: r.host });
    return { to: `https://${sni}:${r.port}${path}`, headers, via: c.gateway, ...method };
  }
  if (r.host) headers.push({ name: 'Host', value: r.host });
  return { to: `${r.scheme}://${address}${port}${path}`, headers, ...method };
}

function trace(a: Analysis, c: Case): TraceResult {
  const args = traceArgs(a, c);
  const target = parseTarget(args.to);
  assert.ok(target.ok, `--to ${args.to} parses`);
  const src = findSource(a.cluster, 'external');
  assert.ok(src.ok);
  // What the echo backend is asked to answer with (--response-header), for the response filters to act on.
  const responseHeaders = Object.entries(c.request.echoSetResponseHeaders ?? {}).map(([name, value]) => ({ name, value }));
  const opts = {
    headers: args.headers,
    responseHeaders,
    ...(args.method ? { method: args.method } : {}),
    ...(args.via ? { via: args.via } : {}),
  };
  return tracePacket(a, src.source, target.target, 'TCP', opts);
}

const lower = (h: Record<string, string> | undefined) => Object.fromEntries(Object.entries(h ?? {}).map(([k, v]) => [k.toLowerCase(), v]));

function checkCase(t: TraceResult, c: Case): void {
  const e = c.expect;
  const why = `${t.verdict}: ${t.reason}`;
  if (e.connection === 'rejected') return assert.equal(t.verdict, 'refused', why);
  if (e.grpcCode !== undefined) {
    if (e.grpcCode === 'OK') assert.equal(t.verdict, 'delivered', why);
    else assert.equal(t.response?.grpcStatus, e.grpcCode, why);
  }
  const statuses = e.statusAnyOf ?? (e.grpcCode !== undefined || c.request.scheme === 'tls' ? [] : [e.status ?? 200]);
  const ok = statuses.length === 0 ? e.grpcCode === undefined || e.grpcCode === 'OK' : statuses.some((s) => s === 200 || s === 204);
  // backend null and namespace null: the answer need not come from a backend (a CORS preflight the Gateway answers itself).
  const byGateway = ok && e.backend === null && e.namespace === null && t.verdict !== 'delivered';
  const delivered = ok && !byGateway;
  if (statuses.length > 0 && !delivered)
    assert.ok(statuses.includes(t.response?.status ?? -1), `status ${t.response?.status} not in ${statuses.join(',')}; ${why}`);
  if (delivered) {
    assert.equal(t.verdict, 'delivered', why);
    const d = t.destination;
    assert.ok(d && d.kind === 'pod');
    if (e.backend) {
      const [ns, name] = e.backend.split('/') as [string, string];
      assert.equal(d.namespace, ns, why);
      assert.ok(d.name.startsWith(name), `${d.name} is a pod of ${e.backend}`);
    } else if (e.namespace) assert.equal(d.namespace, e.namespace, why);
  }
  if (e.redirect) {
    assert.equal(t.verdict, 'redirected', why);
    const loc = new URL(t.response?.location ?? '');
    assert.equal(loc.protocol, `${e.redirect.scheme}:`);
    if (e.redirect.host !== null) assert.equal(loc.hostname, e.redirect.host);
    assert.equal(loc.port === '' ? null : Number(loc.port), e.redirect.port);
    assert.equal(loc.pathname, e.redirect.path);
    if (e.location && e.redirect.host !== null) assert.equal(t.response?.location, e.location);
  }
  for (const [k, v] of Object.entries(lower(e.responseHeaders))) assert.equal(lower(t.response?.headers)[k], v, `response header ${k}`);
  for (const [k, values] of Object.entries(e.responseHeadersAnyOf ?? {}))
    assert.ok(values.includes(lower(t.response?.headers)[k.toLowerCase()] ?? ''), `response header ${k} is one of ${values.join(' | ')}`);
  for (const k of e.absentResponseHeaders ?? []) assert.equal(lower(t.response?.headers)[k.toLowerCase()], undefined);
  if (e.weights) {
    // The share of traffic each backend gets, from the candidates' weights (statistical in the suite, exact here).
    const want = Array.isArray(e.weights) ? Object.fromEntries(e.weights.map((w) => [w.backend, w.weight])) : e.weights;
    const total = Object.values(want).reduce((x, y) => x + y, 0);
    for (const [backend, weight] of Object.entries(want)) {
      const got = t.candidates.filter((c) => c.service === backend || c.service?.endsWith(`/${backend}`)).reduce((x, c) => x + c.weight, 0);
      assert.ok(Math.abs(got - weight / total) < 0.01, `${backend} gets ${got}, expected ${weight / total}`);
    }
  }
  for (const m of e.mirroredTo ?? []) {
    const [ns, name] = m.backend.split('/');
    assert.ok(
      t.hops.some((h) => h.kind === 'filter' && h.filter === 'RequestMirror' && h.detail.includes(`${ns}/${name}`)),
      `mirrored to ${m.backend}`,
    );
  }
  if (e.backendTLS !== undefined) assert.equal(t.request?.tls, e.backendTLS ? 'passthrough' : 'terminated', why);
  if (e.backendSNI !== undefined) assert.equal(t.request?.host, e.backendSNI);
  const x = c.expectRequest;
  if (x && !byGateway) {
    const req = t.request;
    assert.ok(req, 'the request as the backend receives it');
    if (x.path !== undefined) assert.equal(req.path, x.path);
    assert.equal(req.method, x.method ?? 'GET');
    if (x.host !== undefined) assert.equal(req.host, x.host);
    for (const [k, v] of Object.entries(lower(x.headers))) assert.equal(lower(req.headers)[k], v, `request header ${k}`);
    for (const k of x.absentHeaders ?? []) assert.equal(lower(req.headers)[k.toLowerCase()], undefined, `request header ${k} is removed`);
  } else if (delivered && t.request && c.request.scheme !== 'tls') {
    const path = c.request.path ?? '/';
    assert.equal(t.request.path, path, 'the backend sees the request path');
  }
}

describe('Gateway API conformance (open set)', () => {
  it('has the rows SOURCE.txt announces: 20 tests, 64 request cases, 43 conditions, 3 listener rows', { skip: DIR !== OPEN_DIR }, () => {
    assert.equal(tests.length, 20);
    assert.equal(
      tests.reduce((n, t) => n + t.cases.length, 0),
      64,
    );
    assert.equal(conditions.length, 43);
    assert.equal(listenerRows.length, 3);
  });

  for (const t of tests) {
    describe(t.test, () => {
      it('loads without errors but route-not-accepted (route-backend-*) on each route the suite expects Accepted (ResolvedRefs) False for', () => {
        const a = analysisFor(t);
        const errors = a.diagnostics.filter((d) => d.severity === 'error');
        const backendCodes = ['route-backend-missing', 'route-backend-not-permitted', 'route-backend-port-missing'];
        assert.deepEqual(
          errors
            .filter((d) => d.code !== 'route-not-accepted' && !backendCodes.includes(d.code))
            .map((d) => `${d.code} ${d.range.file}:${d.range.line}: ${d.message}`),
          [],
        );
        const unresolved = conditions
          .filter((x) => x.test === t.test && x.condition === 'ResolvedRefs' && x.status === 'False')
          .map((x) => `${x.routeKind}/${x.route}`);
        assert.deepEqual(
          [...new Set(errors.filter((d) => backendCodes.includes(d.code)).map((d) => d.resource))].sort(),
          [...new Set(unresolved)].sort(),
        );
        const rejected = conditions
          .filter((x) => x.test === t.test && x.condition === 'Accepted' && x.status === 'False' && x.parent !== null)
          .map((x) => `${x.routeKind}/${x.route}`);
        assert.deepEqual(
          [...new Set(errors.filter((d) => d.code === 'route-not-accepted').map((d) => d.resource))].sort(),
          [...new Set(rejected)].sort(),
        );
      });
      for (const c of t.cases)
        it(`case ${c.index}${c.name ? ` ${c.name}` : ''}: ${c.request.scheme} ${c.request.host ?? '(address)'}${c.request.path ?? ''}`, () => {
          const a = analysisFor(t, c);
          checkCase(trace(a, c), c);
        });
      for (const row of conditions.filter((x) => x.test === t.test))
        it(`condition ${row.route} ${row.condition}=${row.status}${row.reason ? ` (${row.reason})` : ''} on ${row.parent ?? 'every parent'}`, () => {
          const a = analysisFor(t);
          const [ns, name] = row.route.split('/');
          const route = a.gateway.routes.find((r) => r.kind === row.routeKind && r.namespace === ns && r.name === name);
          assert.ok(route, `${row.routeKind} ${row.route}`);
          const status = a.gateway.status(route);
          if (row.parent === null) {
            assert.ok(status.parents.length === 0 || (status.parents.length === 1 && !status.parents[0]?.accepted));
            return;
          }
          const parents = status.parents.filter((p) => p.gateway && `${p.gateway.namespace}/${p.gateway.name}` === row.parent);
          assert.ok(parents.length > 0, `a parent status for ${row.parent}`);
          for (const p of parents) {
            if (row.condition === 'Accepted') {
              assert.equal(p.accepted, row.status === 'True', p.message);
              if (row.reason) assert.equal(p.reason, row.reason, p.message);
            } else {
              assert.equal(status.resolvedRefs, row.status === 'True');
              if (row.reason) assert.equal(status.refsReason, row.reason);
            }
          }
          if (/MustBeAccepted$/.test(row.check)) {
            const gw = parents[0]?.gateway;
            for (const l of gw?.listeners ?? [])
              assert.deepEqual(a.gateway.listenerStatus(gw!, l).problems, [], `listener ${l.name} is programmed`);
          }
        });
      for (const row of listenerRows.filter((x) => x.test === t.test))
        it(`listener status ${row.gateway} ${row.listener ?? '(all)'}: ${row.attachedRoutes} attached`, () => {
          const a = analysisFor(t);
          const [ns, name] = row.gateway.split('/') as [string, string];
          const gw = a.gateway.findGateway(ns, name);
          assert.ok(gw);
          if (row.listener === null) {
            for (const l of gw.listeners) assert.equal(a.gateway.attachedRoutes(gw, l), 0, l.name);
            return;
          }
          const l = gw.listeners.find((x) => x.name === row.listener);
          assert.ok(l);
          const s = a.gateway.listenerStatus(gw, l);
          assert.equal(s.attachedRoutes, row.attachedRoutes);
          for (const cond of row.conditions ?? []) {
            const got = s.conditions.find((x) => x.type === cond.type);
            assert.equal(got?.status, cond.status, `${cond.type}: ${got?.message}`);
            if (cond.reason) assert.equal(got?.reason, cond.reason);
          }
          // As the suite's listenersMatch compares them: every expected kind present (a listener may
          // support more), and none at all when none is expected.
          if (row.supportedKinds) {
            if (row.supportedKinds.length === 0) assert.deepEqual(s.supportedKinds, []);
            for (const k of row.supportedKinds)
              assert.ok(
                s.supportedKinds.some((x) => x.group === k.group && x.kind === k.kind),
                `${k.kind} in supportedKinds ${s.supportedKinds.map((x) => x.kind).join(', ')}`,
              );
          }
        });
    });
  }
});

// The same request cases through the CLI as users run it (`kube-netsim trace FILES --from external
// --to … --format json`, the bundle in dist/), so each case passes by the CLI's own answer too.
describe('Gateway API conformance through the CLI', () => {
  before(() => ensureBuilt());
  for (const t of tests)
    for (const c of t.cases)
      it(`${t.test} case ${c.index}${c.name ? ` ${c.name}` : ''}`, () => {
        const dir = mkdtempSync(join(tmpdir(), 'kube-netsim-gwconf-'));
        try {
          const files = inputFiles(t, c.precondition).map((f, i) => {
            const file = join(dir, `${String(i).padStart(2, '0')}-${f.path.replace(/[/\\]/g, '_')}`);
            writeFileSync(file, f.text);
            return file;
          });
          const args = traceArgs(analysisFor(t, c), c);
          const r = cli(
            'trace',
            ...files,
            '--from',
            'external',
            '--to',
            args.to,
            ...args.headers.flatMap((h) => ['--header', `${h.name}: ${h.value}`]),
            ...Object.entries(c.request.echoSetResponseHeaders ?? {}).flatMap(([n, v]) => ['--response-header', `${n}: ${v}`]),
            ...(args.method ? ['--method', args.method] : []),
            ...(args.via ? ['--via', args.via] : []),
            '--format',
            'json',
          );
          assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`);
          checkCase(JSON.parse(r.stdout) as TraceResult, c);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
});
