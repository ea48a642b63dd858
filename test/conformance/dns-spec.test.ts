// Replays the Question/Answer examples of the Kubernetes DNS specification, read from the spec
// itself: for each example, the manifests that produce it are derived from the example (the
// Service, its ClusterIP, its endpoints and their hostnames), and our answer must contain the
// records the spec shows. Where the spec leaves a value open (SRV priority and weight, the
// identifier of an endpoint without a hostname) the test checks the shape instead; records an
// upstream resolver would add (the A record of an ExternalName target) cannot exist offline.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ipaddr from 'ipaddr.js';
import { analyze, docs, resolve, svc } from '../helpers';
import type { RecordType } from '../../src/engine/dns/zone';

const SPEC = join(__dirname, '..', '..', '..', 'shared', 'conformance', 'dns-spec', 'docs', 'specification.md');
const SERVICE_CIDR = '10.3.0.0/16,2001:db8::/112';

interface RR {
  name: string;
  type: string;
  value: string;
}
interface Example {
  section: string;
  question: { name: string; type: RecordType };
  answers: RR[];
}

const strip = (name: string) => name.replace(/\.$/, '').toLowerCase();

/** Every Question/Answer pair of the spec, with the heading it sits under. */
function parseSpec(text: string): Example[] {
  const out: Example[] = [];
  let section = '';
  let mode: 'none' | 'question' | 'answer' = 'none';
  let current: Example | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const heading = /^#{2,4}\s+(\d+(?:\.\d+)*)\s+-\s+(.*)$/.exec(line);
    if (heading) {
      section = `${heading[1]} ${heading[2]}`;
      mode = 'none';
      continue;
    }
    if (/^- Question Example:/.test(line)) {
      mode = 'question';
      continue;
    }
    if (/^- Answer Example:/.test(line)) {
      mode = 'answer';
      continue;
    }
    const body = line.replace(/^-\s*/, '').replace(/^`|`$/g, '');
    if (mode === 'question') {
      const q = /^(\S+)\s+IN\s+(\w+)$/.exec(body);
      if (q) {
        current = { section, question: { name: strip(q[1] ?? ''), type: (q[2] ?? 'A') as RecordType }, answers: [] };
        out.push(current);
        mode = 'none';
      }
      continue;
    }
    if (mode === 'answer' && current) {
      const rr = /^(\S+)\s+\d+\s+IN\s+(\w+)\s+(.+)$/.exec(body);
      if (rr) current.answers.push({ name: strip(rr[1] ?? ''), type: rr[2] ?? '', value: (rr[3] ?? '').trim() });
      else if (line !== '' && line !== '```') mode = 'none';
    }
  }
  return out;
}

/** The address a reverse name stands for (`1.0.3.10.in-addr.arpa` → 10.3.0.1). */
function fromReverse(name: string): string {
  if (name.endsWith('.in-addr.arpa')) return name.replace('.in-addr.arpa', '').split('.').reverse().join('.');
  const nibbles = name.replace('.ip6.arpa', '').split('.').reverse().join('');
  return ipaddr.parse(nibbles.match(/.{4}/g)?.join(':') ?? '').toString();
}

const family = (ip: string) => (ipaddr.parse(ip).kind() === 'ipv4' ? 'IPv4' : 'IPv6');

/** `<service>.<ns>.svc.<zone>` → [service, ns]; the per-hostname form drops the first label. */
function serviceOf(name: string): [string, string] {
  const labels = name
    .replace(/\.svc\..*$/, '')
    .split('.')
    .filter((l) => !l.startsWith('_'));
  return [labels.at(-2) ?? '', labels.at(-1) ?? ''];
}

/** An EndpointSlice per address family, for a selectorless headless Service. */
function slices(
  service: string,
  ns: string,
  port: { name: string; port: number; protocol: string },
  endpoints: Array<{ ip: string; hostname?: string }>,
): string[] {
  return (['IPv4', 'IPv6'] as const)
    .map((fam) => {
      const eps = endpoints.filter((e) => family(e.ip) === fam);
      if (eps.length === 0) return '';
      const list = eps
        .map((e) => `- addresses: ["${e.ip}"]${e.hostname ? `\n  hostname: ${e.hostname}` : ''}\n  conditions: {ready: true}`)
        .join('\n');
      return `apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: ${service}-${fam.toLowerCase()}\n  namespace: ${ns}\n  labels: {kubernetes.io/service-name: ${service}}\naddressType: ${fam}\nports: [{name: ${port.name}, port: ${port.port}, protocol: ${port.protocol}}]\nendpoints:\n${list}\n`;
    })
    .filter((s) => s !== '');
}

/** The manifests that make the cluster serve the example's records. */
function workspaceFor(ex: Example): Record<string, string> {
  const q = ex.question;
  const srv = ex.answers.filter((a) => a.type === 'SRV');
  const srvName = /^_([^.]+)\._([^.]+)\./.exec(q.name);
  const port = srvName
    ? { name: srvName[1] ?? '', port: Number(srv[0]?.value.split(/\s+/)[2]), protocol: (srvName[2] ?? 'tcp').toUpperCase() }
    : { name: 'http', port: 80, protocol: 'TCP' };
  if (ex.section.startsWith('2.3')) {
    // A ClusterIP Service: the IP is the A/AAAA answer, or the PTR question reversed.
    const owner = q.type === 'PTR' ? strip(ex.answers[0]?.value ?? '') : q.name;
    const [service, ns] = serviceOf(owner);
    const ip = q.type === 'PTR' ? fromReverse(q.name) : ex.answers.find((a) => a.type === 'A' || a.type === 'AAAA')?.value;
    // The implicit kubernetes Service already is 10.3.0.1 with port https 443 in this serviceCIDR.
    if (service === 'kubernetes' && ns === 'default' && (ip === undefined || ip === '10.3.0.1')) return {};
    return { 'svc.yaml': svc({ name: service, namespace: ns, selector: null, clusterIP: ip ?? '', ports: [port] }) };
  }
  if (ex.section.startsWith('2.4')) {
    // A headless Service whose endpoints are the answers (or, for PTR, the question's address).
    const [service, ns] = serviceOf(q.type === 'PTR' ? strip(ex.answers[0]?.value ?? '') : q.name);
    const perHost = q.type !== 'PTR' && q.type !== 'SRV' && serviceOf(q.name)[0] !== q.name.split('.')[0];
    let endpoints: Array<{ ip: string; hostname?: string }>;
    if (q.type === 'PTR') endpoints = [{ ip: fromReverse(q.name), hostname: strip(ex.answers[0]?.value ?? '').split('.')[0] ?? '' }];
    else if (q.type === 'SRV') {
      // Targets whose first label is all digits are the system-assigned identifiers the spec leaves open.
      endpoints = srv.map((a, i) => {
        const host = strip(a.value.split(/\s+/)[3] ?? '').split('.')[0] ?? '';
        return /^\d+$/.test(host) ? { ip: `10.3.0.${i + 1}` } : { ip: `10.3.0.${i + 1}`, hostname: host };
      });
    } else endpoints = ex.answers.map((a) => (perHost ? { ip: a.value, hostname: q.name.split('.')[0] ?? '' } : { ip: a.value }));
    return {
      'headless.yaml': docs(
        svc({ name: service, namespace: ns, selector: null, clusterIP: 'None', ports: [port] }),
        ...slices(service, ns, port, endpoints),
      ),
    };
  }
  if (ex.section.startsWith('2.5')) {
    const cname = ex.answers.find((a) => a.type === 'CNAME');
    const [service, ns] = serviceOf(q.name);
    return {
      'ext.yaml': svc({
        name: service,
        namespace: ns,
        type: 'ExternalName',
        selector: null,
        ports: [],
        extra: `externalName: ${strip(cname?.value ?? '')}`,
      }),
    };
  }
  return {};
}

const examples = parseSpec(readFileSync(SPEC, 'utf8'));

describe("conformance: the DNS specification's examples", () => {
  it('the spec yields every example (2 per A/AAAA/PTR pair, SRV, TXT, CNAME)', () => {
    assert.equal(examples.length, 15, examples.map((e) => `${e.section}: ${e.question.name}`).join('\n'));
    for (const ex of examples) assert.ok(ex.answers.length > 0, `${ex.question.name} has answers`);
  });

  for (const ex of examples) {
    const q = ex.question;
    it(`${ex.section.split(' ')[0]} ${q.name}. IN ${q.type}`, () => {
      const a = analyze(workspaceFor(ex), `serviceCIDR: "${SERVICE_CIDR}"\n`);
      const r = resolve(a, `${q.name}.`, 'default', q.type);
      const got = r.answers.map((x) => ({ name: strip(x.name), type: x.type, value: x.value }));
      assert.equal(r.rcode, 'NOERROR', r.explanation);
      const inCluster = ex.answers.filter((x) => x.name.endsWith('.cluster.local') || x.name.endsWith('.arpa'));
      const upstream = ex.answers.filter((x) => !inCluster.includes(x));
      if (q.type === 'SRV') {
        // Priority and weight are not prescribed; port and target are.
        const shape = (v: string) => v.split(/\s+/);
        assert.equal(got.length, inCluster.length);
        for (const g of got) assert.match(g.value, /^\d+ \d+ \d+ \S+$/);
        const want = inCluster.map((x) => `${shape(x.value)[2]} ${strip(shape(x.value)[3] ?? '')}`).sort();
        const have = got.map((x) => `${shape(x.value)[2]} ${strip(shape(x.value)[3] ?? '')}`).sort();
        const named = want.filter((w) => !/ \d+\./.test(w));
        for (const w of named) assert.ok(have.includes(w), `SRV ${w} in ${JSON.stringify(have)}`);
        // An endpoint without a hostname gets some identifier that resolves to that endpoint alone.
        for (const h of have.filter((x) => !named.includes(x))) {
          const target = h.split(' ')[1] ?? '';
          assert.match(target, /\.headless\.default\.svc\.cluster\.local$/);
          assert.equal(resolve(a, `${target}.`, 'default').answers.length, 1, target);
        }
        return;
      }
      const norm = (x: RR) =>
        `${x.name} ${x.type} ${x.type === 'AAAA' ? ipaddr.parse(x.value).toString() : strip(x.value.replace(/^"(.*)"$/, '"$1"'))}`;
      assert.deepEqual(got.map((x) => norm(x)).sort(), inCluster.map((x) => norm(x)).sort());
      // The upstream records of an ExternalName's target are the upstream resolver's to give.
      for (const u of upstream)
        assert.ok(!got.some((g) => g.name === u.name && g.type === u.type && g.value !== u.value), `no invented ${u.name} ${u.type}`);
    });
  }

  it('a headless Service with no ready endpoint answers NXDOMAIN', () => {
    const a = analyze({
      'h.yaml': svc({ name: 'headless', selector: { app: 'none' }, clusterIP: 'None', ports: [{ name: 'https', port: 443 }] }),
    });
    assert.equal(resolve(a, 'headless.default.svc.cluster.local.', 'default').rcode, 'NXDOMAIN');
  });

  it('an unnamed port has no SRV record', () => {
    const a = analyze({ 's.yaml': svc({ name: 'plain', selector: null, ports: [{ port: 80 }] }) });
    assert.equal(resolve(a, '_http._tcp.plain.default.svc.cluster.local.', 'default', 'SRV').answers.length, 0);
  });
});
