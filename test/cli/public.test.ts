// The regression suite of issue 16: the CLI over public manifests that nobody here wrote, kept
// under test/fixtures/public/<name>/ with their LICENSE and SOURCE.txt (repository, path, commit).
// Each asserts that a green run means what it says: no error, and the verdicts a real cluster
// gives for these manifests (DNS answers, endpoints, traces). Addresses are not pinned: each
// answer is checked against what the same run reports for the Service or pod.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cli, ensureBuilt, json, ROOT } from './run';

const PUBLIC = 'test/fixtures/public';

interface Service {
  namespace: string;
  name: string;
  type: string;
  clusterIP: string | null;
  loadBalancerIP?: string | null;
  ports: Array<{ name: string | null; port: number; targetPort: number | string; nodePort: number | null }>;
  endpoints: Array<{ pod: string; ip: string; port: number }>;
  implicit?: true;
}
interface Analysis {
  cluster: { nodes: Array<{ name: string; ip: string }> };
  pods: Array<{ namespace: string; name: string; workload: string; ip: string | null; node: string | null; implicit?: true }>;
  services: Service[];
  diagnostics: Array<{ severity: string; code: string; file: string; line: number; message: string }>;
}
interface Trace {
  verdict: string;
  reason: string;
  destination: { kind: string; workload?: string; port?: number; ip?: string } | null;
  sourceIPAtDestination?: string;
  candidates: unknown[];
}
interface Dns {
  rcode: string;
  answers: Array<{ name: string; type: string; value: string }>;
}

const analyze = (path: string): Analysis => {
  const r = cli('analyze', path, '--format', 'json');
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0, `analyze ${path} exits 0 (no error)`);
  return json<Analysis>(r);
};
const errors = (a: Analysis) =>
  a.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.file}:${d.line} ${d.message}`);
const service = (a: Analysis, id: string): Service => {
  const s = a.services.find((x) => `${x.namespace}/${x.name}` === id);
  assert.ok(s, `Service ${id}`);
  return s;
};
/** Distinct pods behind a Service, and the pods of a workload. */
const endpointPods = (s: Service) => new Set(s.endpoints.map((e) => e.pod)).size;
const podsOf = (a: Analysis, workload: string) => a.pods.filter((p) => p.workload === workload);
const dns = (path: string, from: string, name: string): Dns => {
  const r = cli('dns', path, '--from', from, name, '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  return json<Dns>(r);
};
const trace = (path: string, from: string, to: string): Trace => {
  const r = cli('trace', path, '--from', from, '--to', to, '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  return json<Trace>(r);
};

describe('public manifests: the fixtures themselves', () => {
  it('each comes with its LICENSE and a SOURCE.txt naming repository, path and commit, and all are small', () => {
    const names = readdirSync(join(ROOT, PUBLIC));
    assert.ok(names.length >= 4, names.join(', '));
    let bytes = 0;
    for (const name of names) {
      const dir = join(ROOT, PUBLIC, name);
      assert.ok(existsSync(join(dir, 'LICENSE')), `${name}/LICENSE`);
      const source = readFileSync(join(dir, 'SOURCE.txt'), 'utf8');
      assert.match(source, /^repo: +https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/m, `${name}/SOURCE.txt names the repository`);
      assert.match(source, /\b[0-9a-f]{40}\b/, `${name}/SOURCE.txt names a commit`);
      for (const f of readdirSync(dir)) bytes += statSync(join(dir, f)).size;
    }
    assert.ok(bytes < 200 * 1024, `${bytes} bytes`);
  });
});

describe('public manifests: Kubernetes guestbook (kubernetes/examples)', () => {
  const path = `${PUBLIC}/guestbook`;
  let a: Analysis;
  before(() => {
    ensureBuilt();
    a = analyze(path);
  });

  it('has no error', () => assert.deepEqual(errors(a), []));

  it('runs the replicas each Deployment asks for, each behind its Service', () => {
    assert.equal(podsOf(a, 'default/redis-master').length, 1);
    assert.equal(podsOf(a, 'default/redis-replica').length, 2);
    assert.equal(podsOf(a, 'default/frontend').length, 3);
    assert.equal(endpointPods(service(a, 'default/redis-master')), 1);
    assert.equal(endpointPods(service(a, 'default/redis-replica')), 2);
    assert.equal(endpointPods(service(a, 'default/frontend')), 3);
    assert.equal(service(a, 'default/frontend').type, 'NodePort');
  });

  it('the frontend finds redis by DNS (GET_HOSTS_FROM=dns) and reaches the master', () => {
    for (const name of ['redis-master', 'redis-replica']) {
      const answer = dns(path, 'default/frontend', name);
      assert.equal(answer.rcode, 'NOERROR');
      assert.deepEqual(
        answer.answers.map((r) => `${r.name} ${r.type} ${r.value}`),
        [`${name}.default.svc.cluster.local A ${service(a, `default/${name}`).clusterIP}`],
      );
    }
    const t = trace(path, 'default/frontend', 'redis-master:6379');
    assert.equal(t.verdict, 'delivered');
    assert.equal(t.destination?.workload, 'default/redis-master');
    assert.equal(t.destination?.port, 6379);
  });

  it('a client outside reaches the frontend through its NodePort', () => {
    const nodePort = service(a, 'default/frontend').ports[0]?.nodePort;
    assert.ok(nodePort);
    const node = a.cluster.nodes[0]?.ip;
    assert.ok(node);
    const t = trace(path, 'external', `${node}:${nodePort}`);
    assert.equal(t.verdict, 'delivered');
    assert.equal(t.destination?.workload, 'default/frontend');
    assert.equal(t.destination?.port, 80);
  });
});

describe('public manifests: Online Boutique (GoogleCloudPlatform/microservices-demo)', () => {
  const path = `${PUBLIC}/online-boutique`;
  let a: Analysis;
  before(() => {
    ensureBuilt();
    a = analyze(path);
  });

  it('has no error, and every service address in an env value resolves', () => {
    assert.deepEqual(errors(a), []);
    assert.deepEqual(
      a.diagnostics.filter((d) => d.code === 'dns-name-unresolved' || d.code === 'service-no-endpoints').map((d) => d.message),
      [],
    );
  });

  it('each of the twelve Services has its one pod behind it, on the targetPort', () => {
    const services = a.services.filter((s) => !s.implicit);
    assert.equal(services.length, 12);
    for (const s of services) {
      assert.equal(endpointPods(s), 1, `${s.name} endpoints`);
      assert.deepEqual(
        s.endpoints.map((e) => e.port),
        s.ports.map((p) => p.targetPort),
        s.name,
      );
    }
    assert.equal(service(a, 'default/emailservice').endpoints[0]?.port, 8080, 'emailservice: port 5000 → targetPort 8080');
  });

  it('checkout reaches the cart by the name in its env (cartservice:7070)', () => {
    const answer = dns(path, 'default/checkoutservice', 'cartservice');
    assert.equal(answer.rcode, 'NOERROR');
    assert.deepEqual(
      answer.answers.map((r) => r.value),
      [service(a, 'default/cartservice').clusterIP],
    );
    const t = trace(path, 'default/checkoutservice', 'cartservice:7070');
    assert.equal(t.verdict, 'delivered');
    assert.equal(t.destination?.workload, 'default/cartservice');
    assert.equal(t.destination?.port, 7070);
  });

  it('a namespace typo (cartservice.defualt:7070) is not delivered: NXDOMAIN, naming the namespace meant', () => {
    const answer = dns(path, 'default/checkoutservice', 'cartservice.defualt');
    assert.equal(answer.rcode, 'NXDOMAIN');
    assert.deepEqual(answer.answers, []);
    const t = trace(path, 'default/checkoutservice', 'cartservice.defualt:7070');
    assert.notEqual(t.verdict, 'delivered');
    assert.equal(t.verdict, 'unresolved');
    assert.match(t.reason, /no namespace defualt .*did you mean default\?/);
    // An SRV name with a port name the Service does not have is NXDOMAIN too (cartservice names its port grpc).
    const r = cli('dns', path, '--from', 'default/checkoutservice', '_grpcx._tcp.cartservice', '--type', 'SRV', '--format', 'json');
    assert.equal(json<Dns>(r).rcode, 'NXDOMAIN');
  });

  it('a client outside reaches the frontend through frontend-external (LoadBalancer 80 → 8080)', () => {
    const lb = service(a, 'default/frontend-external');
    assert.equal(lb.type, 'LoadBalancer');
    assert.ok(lb.loadBalancerIP);
    const t = trace(path, 'external', `${lb.loadBalancerIP}:80`);
    assert.equal(t.verdict, 'delivered');
    assert.equal(t.destination?.workload, 'default/frontend');
    assert.equal(t.destination?.port, 8080);
  });
});

describe('public manifests: kube-prometheus (prometheus-operator/kube-prometheus)', () => {
  const path = `${PUBLIC}/kube-prometheus`;
  let a: Analysis;
  before(() => {
    ensureBuilt();
    a = analyze(path);
  });

  it('has no error and no warning: the operator creates the pods the Service selects', () => {
    assert.deepEqual(errors(a), []);
    assert.deepEqual(
      a.diagnostics.filter((d) => d.severity === 'warning').map((d) => `${d.code} ${d.file}:${d.line}`),
      [],
    );
  });

  it('Prometheus k8s (replicas 2) and Alertmanager main (replicas 3) run StatefulSet-like pods', () => {
    assert.deepEqual(
      podsOf(a, 'monitoring/k8s')
        .map((p) => p.name)
        .sort(),
      ['prometheus-k8s-0', 'prometheus-k8s-1'],
    );
    assert.deepEqual(
      podsOf(a, 'monitoring/main')
        .map((p) => p.name)
        .sort(),
      ['alertmanager-main-0', 'alertmanager-main-1', 'alertmanager-main-2'],
    );
  });

  it('prometheus-k8s has both Prometheus pods behind web (9090) and reloader-web (8080)', () => {
    const s = service(a, 'monitoring/prometheus-k8s');
    assert.equal(endpointPods(s), 2);
    assert.deepEqual([...new Set(s.endpoints.map((e) => e.port))].sort(), [8080, 9090]);
  });

  it("prometheus-adapter's --prometheus-url reaches a Prometheus pod on 9090", () => {
    const t = trace(path, 'monitoring/prometheus-adapter', 'http://prometheus-k8s.monitoring.svc:9090/');
    assert.equal(t.verdict, 'delivered');
    assert.equal(t.destination?.workload, 'monitoring/k8s');
    assert.equal(t.destination?.port, 9090);
  });

  it('the governing Service alertmanager-operated, which the operator creates, answers with the three pods', () => {
    const ips = podsOf(a, 'monitoring/main')
      .map((p) => p.ip)
      .sort();
    assert.deepEqual(
      dns(path, 'monitoring/prometheus-adapter', 'alertmanager-operated')
        .answers.map((r) => r.value)
        .sort(),
      ips,
    );
  });
});

describe('public manifests: podinfo Kustomize base (stefanprodan/podinfo)', () => {
  const path = `${PUBLIC}/podinfo`;
  let a: Analysis;
  before(() => {
    ensureBuilt();
    a = analyze(path);
  });

  it('renders the kustomization with no error', () => {
    assert.deepEqual(errors(a), []);
    assert.ok(podsOf(a, 'default/podinfo').length >= 1);
  });

  it('runs the 2 pods its HorizontalPodAutoscaler keeps (minReplicas 2; the Deployment sets no replicas), all behind the Service', () => {
    assert.equal(podsOf(a, 'default/podinfo').length, 2);
    assert.equal(endpointPods(service(a, 'default/podinfo')), 2);
    const r = cli('analyze', path);
    assert.match(
      r.stdout,
      /Deployment default\/podinfo runs 2 replicas: HorizontalPodAutoscaler default\/podinfo keeps at least minReplicas 2/,
    );
  });

  it('resolves the named targetPorts (http, grpc) of all three Services to the container ports', () => {
    for (const name of ['podinfo', 'podinfo-stable', 'podinfo-canary']) {
      const s = service(a, `default/${name}`);
      assert.deepEqual(s.ports.map((p) => `${p.name}:${p.port}`).sort(), ['grpc:9999', 'http:9898'], name);
      assert.deepEqual([...new Set(s.endpoints.map((e) => e.port))].sort(), [9898, 9999], name);
    }
  });

  it('the canary Service answers in DNS and delivers gRPC to the pod', () => {
    assert.deepEqual(
      dns(path, 'default/podinfo', 'podinfo-canary').answers.map((r) => r.value),
      [service(a, 'default/podinfo-canary').clusterIP],
    );
    const t = trace(path, 'default/podinfo', 'podinfo-canary:9999');
    assert.equal(t.verdict, 'delivered');
    assert.equal(t.destination?.port, 9999);
  });
});

describe('public manifests: Istio SPIRE quickstart (istio/istio)', () => {
  const path = `${PUBLIC}/istio-spire`;
  let a: Analysis;
  before(() => {
    ensureBuilt();
    a = analyze(path);
  });

  it('parses as kubectl does (no yaml-syntax error) and has no error', () => {
    assert.deepEqual(errors(a), []);
  });

  it('runs the agent DaemonSet on every node, on the host network', () => {
    const agents = podsOf(a, 'spire/spire-agent');
    assert.equal(agents.length, a.cluster.nodes.length);
    const nodeIP = new Map(a.cluster.nodes.map((n) => [n.name, n.ip]));
    for (const p of agents) assert.equal(p.ip, nodeIP.get(p.node ?? ''), `${p.name} has its node's address`);
  });

  it('the agent (dnsPolicy ClusterFirstWithHostNet) finds and reaches spire-server:8081 from its node', () => {
    assert.deepEqual(
      dns(path, 'spire/spire-agent', 'spire-server').answers.map((r) => r.value),
      [service(a, 'spire/spire-server').clusterIP],
    );
    const t = trace(path, 'spire/spire-agent', 'spire-server:8081');
    assert.equal(t.verdict, 'delivered');
    assert.equal(t.destination?.workload, 'spire/spire-server');
    assert.equal(t.destination?.port, 8081);
    assert.ok(
      a.cluster.nodes.some((n) => n.ip === t.sourceIPAtDestination),
      `a hostNetwork pod speaks with its node address (${t.sourceIPAtDestination})`,
    );
  });
});

describe('public manifests: Istio SPIRE quickstart, node-level listeners (issue 16 item 10)', () => {
  const path = `${PUBLIC}/istio-spire`;
  let a: Analysis;
  before(() => {
    ensureBuilt();
    a = analyze(path);
  });

  it("the agent reaches its node's kubelet on 10250 (workload attestation) and the API server on 6443", () => {
    const apiServer = service(a, 'default/kubernetes').endpoints[0];
    assert.ok(apiServer);
    for (const agent of podsOf(a, 'spire/spire-agent')) {
      const from = `spire/${agent.name}`;
      const kubelet = trace(path, from, `${agent.ip}:10250`);
      assert.equal(kubelet.verdict, 'delivered', from);
      assert.equal(kubelet.destination?.kind, 'node', from);
      assert.equal(trace(path, from, 'https://localhost:10250/pods').verdict, 'delivered', `${from} via localhost`);
      const api = trace(path, from, `${apiServer.ip}:6443`);
      assert.equal(api.verdict, 'delivered', from);
      assert.equal(api.destination?.ip, apiServer.ip);
      // The same server kubernetes:443 reaches (that trace also names the Service it went through).
      const viaService = trace(path, from, 'kubernetes.default:443').destination;
      const { service, ...server } = (viaService ?? {}) as { service?: string };
      assert.equal(service, 'default/kubernetes');
      assert.deepEqual(api.destination, server, 'the same server kubernetes:443 reaches');
    }
  });
});

describe('public manifests: Istio Bookinfo with its Ingress (istio/istio)', () => {
  const path = `${PUBLIC}/istio-bookinfo`;
  let a: Analysis;
  before(() => {
    ensureBuilt();
    a = analyze(path);
  });

  it('has no error, and every Service has its pods behind it', () => {
    assert.deepEqual(errors(a), []);
    assert.equal(endpointPods(service(a, 'default/reviews')), 3, 'reviews v1, v2 and v3');
    for (const name of ['details', 'ratings', 'productpage']) assert.equal(endpointPods(service(a, `default/${name}`)), 1, name);
  });

  it('its host-less rule matches every host: an outside client reaches productpage by any name', () => {
    for (const url of ['http://bookinfo.example.com/productpage', 'http://203-0-113-9.nip.io/api/v1/products/0']) {
      const t = trace(path, 'external', url);
      assert.equal(t.verdict, 'delivered', url);
      assert.equal(t.destination?.workload, 'default/productpage-v1', url);
      assert.equal(t.destination?.port, 9080, url);
    }
    // Paths the rule does not list get the controller's 404, not productpage.
    assert.equal(trace(path, 'external', 'http://bookinfo.example.com/admin').verdict, 'unrouted');
  });

  it("analyze's text shows the ingress controller's address", () => {
    const r = cli('analyze', path);
    assert.equal(r.status, 0);
    const lb = a.services.find((s) => s.implicit && s.type === 'LoadBalancer' && s.name.includes('istio'))?.loadBalancerIP;
    assert.ok(lb, 'the controller has a load balancer address');
    assert.match(r.stdout, new RegExp(`^default +gateway +istio +\\* +${lb.replace(/\./g, '\\.')} +80 `, 'm'));
    const json = cli('analyze', path, '--format', 'json');
    const ingresses = (JSON.parse(json.stdout) as { ingresses: Array<{ name: string; hosts: string[]; address: string | null }> })
      .ingresses;
    assert.deepEqual(
      ingresses.map((i) => [i.name, i.hosts, i.address]),
      [['gateway', ['*'], lb]],
    );
  });
});
