import ipaddr from 'ipaddr.js';
import { parsePositionedDocument } from '../manifests/parse';
import { scalarText } from '../manifests/fields';
import { makeDiagnostic, editDistance, type Diagnostic, type DiagnosticCode } from '../diagnostics';
import { CATALOGUE } from '../catalogue';
import { type Labels } from './labels';

export type CniPlugin = 'calico' | 'flannel' | 'cilium' | 'weave' | 'canal';
export type Encapsulation = 'none' | 'ipip' | 'vxlan' | 'geneve' | 'native';
export type KubeProxyMode = 'iptables' | 'ipvs' | 'nftables';

export interface NodeSetting {
  name: string;
  ip: string;
  /** The node's IPv6 InternalIP of a dual-stack node (`ip: 10.0.1.10,fd00:10:0:1::10`, as kubelet's --node-ip takes both). */
  ipv6?: string;
  podCIDR?: string;
  /** Its IPv6 pod CIDR (`podCIDR: 10.244.1.0/24,fd00:10:244:1::/64`, as spec.podCIDRs holds both). */
  podCIDRv6?: string;
  labels: Labels;
}

/** The simulated cluster's shape; every field has the default design.md gives. */
export interface ClusterSettings {
  cni: CniPlugin;
  encapsulation: Encapsulation;
  kubeProxyMode: KubeProxyMode;
  clusterDomain: string;
  podCIDR: string;
  podCIDRv6?: string;
  serviceCIDR: string;
  serviceCIDRv6?: string;
  nodePortRange: [number, number];
  loadBalancerPool: string;
  /** Null: use `kind: Node` objects from the manifests, else the three default nodes. */
  nodes: NodeSetting[] | null;
  externalClient: string;
  /** Diagnostics the user silenced (kube-netsim.yaml `ignore:`); none by default. */
  ignore?: IgnoreRule[];
  /**
   * How policies treat hostNetwork pods, which the API leaves to the network plugin: `node` (the
   * default, what most plugins do) counts them as their node's address, selected by no policy; `pod`
   * selects and matches them like any pod (netpol-analyzer's reading).
   */
  hostNetworkPods: 'node' | 'pod';
  /**
   * Where an IngressClass's controller runs on this cluster, when it was installed otherwise than
   * its standard install (another namespace, other labels): `ingressControllers:` in kube-netsim.yaml.
   */
  ingressControllers?: IngressControllerSetting[];
}

/** One `ingressControllers:` entry: the class, and the namespace and pod labels of its controller. */
export interface IngressControllerSetting {
  class: string;
  namespace?: string;
  labels?: Labels;
}

/**
 * One entry of `ignore:`: diagnostics with this code, about this object, in this file or folder;
 * what an entry leaves out matches everything (at least one of the three is given).
 */
export interface IgnoreRule {
  code?: DiagnosticCode;
  /** `Kind/NAMESPACE/NAME`, or `Kind/NAME` for any namespace (and for cluster-scoped kinds). */
  resource?: string;
  /** A file or folder, matched by whole path segments against the end of the path diagnostics give. */
  file?: string;
}

// No podCIDR here: node-N's is cut from the cluster podCIDR (10.244.N.0/24 by default), so a
// custom podCIDR applies to the default nodes too.
export const DEFAULT_NODES: NodeSetting[] = [
  { name: 'node-1', ip: '10.0.1.10', labels: {} },
  { name: 'node-2', ip: '10.0.1.20', labels: {} },
  { name: 'node-3', ip: '10.0.1.30', labels: {} },
];

export function defaultSettings(): ClusterSettings {
  return {
    cni: 'calico',
    encapsulation: 'none',
    kubeProxyMode: 'iptables',
    clusterDomain: 'cluster.local',
    podCIDR: '10.244.0.0/16',
    serviceCIDR: '10.96.0.0/12',
    nodePortRange: [30000, 32767],
    loadBalancerPool: '198.51.100.0/24',
    nodes: null,
    externalClient: '203.0.113.5',
    hostNetworkPods: 'node',
  };
}

const CNI: readonly CniPlugin[] = ['calico', 'flannel', 'cilium', 'weave', 'canal'];
const ENCAP: Record<CniPlugin, readonly Encapsulation[]> = {
  calico: ['none', 'ipip', 'vxlan'],
  cilium: ['vxlan', 'geneve', 'native'],
  flannel: ['vxlan'],
  weave: ['vxlan'],
  canal: ['vxlan'],
};
const DEFAULT_ENCAP: Record<CniPlugin, Encapsulation> = {
  calico: 'none',
  cilium: 'vxlan',
  flannel: 'vxlan',
  weave: 'vxlan',
  canal: 'vxlan',
};
const KNOWN_KEYS = [
  'cni',
  'encapsulation',
  'kubeProxyMode',
  'clusterDomain',
  'podCIDR',
  'serviceCIDR',
  'nodePortRange',
  'loadBalancerPool',
  'nodes',
  'externalClient',
  'ignore',
  'hostNetworkPods',
  'ingressControllers',
];

export function isCidr(text: string): boolean {
  try {
    ipaddr.parseCIDR(text);
    return true;
  } catch {
    return false;
  }
}

/** Splits `v4,v6` dual-stack CIDR lists as kube-apiserver's flags take them. */
function splitFamilies(value: string): { v4?: string; v6?: string; bad?: string } {
  const out: { v4?: string; v6?: string; bad?: string } = {};
  for (const part of value.split(',').map((p) => p.trim())) {
    if (!isCidr(part)) return { bad: part };
    const [addr] = ipaddr.parseCIDR(part);
    if (addr.kind() === 'ipv4') out.v4 = part;
    else out.v6 = part;
  }
  return out;
}

/**
 * Reads `kube-netsim.yaml`: every key optional, unknown keys and bad values reported at their
 * place, with the default kept for each bad value.
 */
export function parseSettings(
  file: string,
  text: string,
  base: ClusterSettings = defaultSettings(),
): { settings: ClusterSettings; diagnostics: Diagnostic[] } {
  const doc = parsePositionedDocument(file, text);
  const diagnostics = [...doc.diagnostics];
  // Keys the file sets win over `base` (the editor's settings); the others keep base's values.
  const settings: ClusterSettings = { ...base, nodePortRange: [...base.nodePortRange], nodes: base.nodes ? [...base.nodes] : null };
  const bad = (path: Array<string | number>, reason: string) =>
    diagnostics.push(makeDiagnostic('settings-invalid', doc.locate(path), { reason }));
  const v = doc.value;
  if (v === null || v === undefined) return { settings, diagnostics };
  if (typeof v !== 'object' || Array.isArray(v)) {
    bad([], 'kube-netsim.yaml must be a mapping of settings (cni, kubeProxyMode, podCIDR, ...).');
    return { settings, diagnostics };
  }
  const o = v as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KNOWN_KEYS.includes(key))
      diagnostics.push(
        makeDiagnostic('settings-invalid', doc.locateKey([key]), {
          reason: `Unknown setting \`${key}\`; known settings are ${KNOWN_KEYS.join(', ')}.`,
        }),
      );
  }
  const str = (key: string): string | undefined => {
    const value = o[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      bad([key], `\`${key}\` must be a string.`);
      return undefined;
    }
    return value;
  };
  const cni = str('cni');
  if (cni !== undefined) {
    if ((CNI as readonly string[]).includes(cni)) settings.cni = cni as CniPlugin;
    else bad(['cni'], `Unknown CNI \`${cni}\`; use one of ${CNI.join(', ')}.`);
  }
  if (cni !== undefined || !(ENCAP[settings.cni] as readonly string[]).includes(settings.encapsulation))
    settings.encapsulation = DEFAULT_ENCAP[settings.cni];
  const encap = str('encapsulation');
  if (encap !== undefined) {
    if ((ENCAP[settings.cni] as readonly string[]).includes(encap)) settings.encapsulation = encap as Encapsulation;
    else
      bad(['encapsulation'], `${settings.cni} does not support encapsulation \`${encap}\`; use one of ${ENCAP[settings.cni].join(', ')}.`);
  }
  const mode = str('kubeProxyMode');
  if (mode !== undefined) {
    if (mode === 'iptables' || mode === 'ipvs' || mode === 'nftables') settings.kubeProxyMode = mode;
    else bad(['kubeProxyMode'], `Unknown kube-proxy mode \`${mode}\`; use iptables, ipvs or nftables.`);
  }
  const domain = str('clusterDomain');
  if (domain !== undefined) {
    if (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(domain)) settings.clusterDomain = domain;
    else bad(['clusterDomain'], `clusterDomain \`${domain}\` is not a valid DNS domain (lower-case labels separated by dots).`);
  }
  for (const key of ['podCIDR', 'serviceCIDR'] as const) {
    const value = str(key);
    if (value === undefined) continue;
    const fam = splitFamilies(value);
    if (fam.bad !== undefined) bad([key], `\`${fam.bad}\` is not a valid CIDR (for example 10.244.0.0/16).`);
    else {
      if (fam.v4) settings[key] = fam.v4;
      if (fam.v6) settings[key === 'podCIDR' ? 'podCIDRv6' : 'serviceCIDRv6'] = fam.v6;
    }
  }
  const pool = str('loadBalancerPool');
  if (pool !== undefined) {
    if (isCidr(pool)) settings.loadBalancerPool = pool;
    else bad(['loadBalancerPool'], `\`${pool}\` is not a valid CIDR (for example 198.51.100.0/24).`);
  }
  const client = str('externalClient');
  if (client !== undefined) {
    if (ipaddr.isValid(client)) settings.externalClient = client;
    else bad(['externalClient'], `\`${client}\` is not an IP address.`);
  }
  const hostNet = str('hostNetworkPods');
  if (hostNet !== undefined) {
    if (hostNet === 'node' || hostNet === 'pod') settings.hostNetworkPods = hostNet;
    else
      bad(
        ['hostNetworkPods'],
        `hostNetworkPods must be node (hostNetwork pods are their node's address, selected by no policy) or pod (selected and matched like any pod), not \`${hostNet}\`.`,
      );
  }
  const range = o['nodePortRange'];
  if (range !== undefined && range !== null) {
    const m = /^(\d+)-(\d+)$/.exec(scalarText(range));
    const lo = m ? Number(m[1]) : NaN;
    const hi = m ? Number(m[2]) : NaN;
    if (m && lo >= 1 && hi <= 65535 && lo <= hi) settings.nodePortRange = [lo, hi];
    else bad(['nodePortRange'], `nodePortRange must look like 30000-32767 (low-high, within 1-65535).`);
  }
  const nodes = o['nodes'];
  if (nodes !== undefined && nodes !== null) {
    if (!Array.isArray(nodes)) bad(['nodes'], '`nodes` must be a list of {name, ip, podCIDR, labels}.');
    else {
      const list: NodeSetting[] = [];
      nodes.forEach((n, i) => {
        if (typeof n !== 'object' || n === null || Array.isArray(n))
          return bad(['nodes', i], 'Each node must be a mapping {name, ip, podCIDR, labels}.');
        const r = n as Record<string, unknown>;
        if (typeof r['name'] !== 'string' || r['name'] === '') return bad(['nodes', i], 'A node needs a `name`.');
        // `ip` and `podCIDR` take one address (range) of each family, comma-separated, for a dual-stack node.
        const ips = typeof r['ip'] === 'string' ? r['ip'].split(',').map((x) => x.trim()) : [];
        if (ips.length === 0 || ips.length > 2 || !ips.every((x) => ipaddr.isValid(x)))
          return bad(['nodes', i, 'ip'], `Node ${r['name']} needs a valid \`ip\` (for example 10.0.1.10, or 10.0.1.10,fd00:10:0:1::10).`);
        const v4 = ips.find((x) => !x.includes(':'));
        const v6 = ips.find((x) => x.includes(':'));
        const node: NodeSetting = { name: r['name'], ip: v4 ?? (v6 as string), labels: {} };
        if (v4 && v6) node.ipv6 = v6;
        if (r['podCIDR'] !== undefined) {
          const fam = typeof r['podCIDR'] === 'string' ? splitFamilies(r['podCIDR']) : { bad: scalarText(r['podCIDR']) };
          if (fam.bad !== undefined) bad(['nodes', i, 'podCIDR'], `\`${fam.bad}\` is not a valid CIDR.`);
          else {
            if (fam.v4 ?? fam.v6) node.podCIDR = fam.v4 ?? fam.v6;
            if (fam.v4 && fam.v6) node.podCIDRv6 = fam.v6;
          }
        }
        if (r['labels'] !== undefined) {
          const labels = r['labels'];
          if (typeof labels === 'object' && labels !== null && !Array.isArray(labels)) {
            node.labels = Object.fromEntries(Object.entries(labels).map(([k, val]) => [k, String(val)]));
          } else bad(['nodes', i, 'labels'], '`labels` must be a mapping.');
        }
        list.push(node);
      });
      if (list.length > 0) settings.nodes = list;
    }
  }
  const controllers = o['ingressControllers'];
  if (controllers !== undefined && controllers !== null) {
    const list = parseIngressControllers(controllers, bad, (path, reason) =>
      diagnostics.push(makeDiagnostic('settings-invalid', doc.locateKey(path), { reason })),
    );
    if (list.length > 0) settings.ingressControllers = list;
  }
  const ignore = o['ignore'];
  if (ignore !== undefined && ignore !== null) {
    const badKey = (path: Array<string | number>, reason: string) =>
      diagnostics.push(makeDiagnostic('settings-invalid', doc.locateKey(path), { reason }));
    const rules = parseIgnore(ignore, bad, badKey);
    if (rules.length > 0) settings.ignore = [...(settings.ignore ?? []), ...rules];
  }
  return { settings, diagnostics };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const CONTROLLER_KEYS = ['class', 'namespace', 'labels'];

/** `ingressControllers:` entries {class, namespace, labels}; each bad entry reported and left out. */
function parseIngressControllers(value: unknown, bad: Report, badKey: Report): IngressControllerSetting[] {
  if (!Array.isArray(value)) {
    bad(['ingressControllers'], '`ingressControllers` must be a list of {class, namespace, labels} entries.');
    return [];
  }
  const out: IngressControllerSetting[] = [];
  value.forEach((entry, i) => {
    const at = ['ingressControllers', i];
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      return bad(at, 'Each `ingressControllers` entry is a mapping {class, namespace, labels}.');
    const r = entry as Record<string, unknown>;
    let ok = true;
    for (const key of Object.keys(r))
      if (!CONTROLLER_KEYS.includes(key)) {
        badKey([...at, key], `Unknown key \`${key}\` in an ingressControllers entry; use class, namespace and labels.`);
        ok = false;
      }
    if (typeof r['class'] !== 'string' || r['class'] === '') {
      bad(at, 'An ingressControllers entry needs `class`: the IngressClass whose controller it places.');
      return;
    }
    const item: IngressControllerSetting = { class: r['class'] };
    if (r['namespace'] !== undefined) {
      if (typeof r['namespace'] === 'string' && DNS_LABEL.test(r['namespace'])) item.namespace = r['namespace'];
      else {
        bad([...at, 'namespace'], `\`${scalarText(r['namespace'])}\` is not a namespace name (lower-case letters, digits and -).`);
        ok = false;
      }
    }
    if (r['labels'] !== undefined) {
      const labels = r['labels'];
      if (typeof labels === 'object' && labels !== null && !Array.isArray(labels) && Object.keys(labels).length > 0)
        item.labels = Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, scalarText(v)]));
      else {
        bad([...at, 'labels'], "`labels` must be a non-empty mapping of the controller pods' labels.");
        ok = false;
      }
    }
    if (ok && item.namespace === undefined && item.labels === undefined) {
      bad(at, `The entry for class ${item.class} names neither a namespace nor labels, so it changes nothing.`);
      ok = false;
    }
    if (ok) out.push(item);
  });
  return out;
}

const IGNORE_KEYS = ['code', 'resource', 'file'];
type Report = (path: Array<string | number>, reason: string) => void;
const CODES = Object.keys(CATALOGUE) as DiagnosticCode[];

/** A code the catalogue knows, or the reason it is not one (with the likely code). */
function knownCode(value: unknown): { code: DiagnosticCode } | { reason: string } {
  if (typeof value !== 'string') return { reason: '`code` must be a diagnostic code (a string such as service-no-endpoints).' };
  const code = CODES.find((c) => c === value);
  if (code) return { code };
  const close = CODES.find((c) => editDistance(c, value) <= 3);
  return { reason: `\`${value}\` is not a kube-netsim diagnostic code${close ? `; did you mean ${close}?` : ' (the README lists them).'}` };
}

/** `ignore:` entries: a code, or {code, resource, file}; each bad entry reported and left out. */
function parseIgnore(value: unknown, bad: Report, badKey: Report): IgnoreRule[] {
  if (!Array.isArray(value)) {
    bad(['ignore'], '`ignore` must be a list of diagnostic codes or of {code, resource, file} entries.');
    return [];
  }
  const rules: IgnoreRule[] = [];
  value.forEach((entry, i) => {
    if (typeof entry === 'string') {
      const known = knownCode(entry);
      if ('code' in known) rules.push({ code: known.code });
      else bad(['ignore', i], known.reason);
      return;
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      bad(['ignore', i], 'Each `ignore` entry is a diagnostic code or a mapping {code, resource, file}.');
      return;
    }
    const r = entry as Record<string, unknown>;
    const rule: IgnoreRule = {};
    let ok = true;
    for (const key of Object.keys(r))
      if (!IGNORE_KEYS.includes(key)) {
        badKey(['ignore', i, key], `Unknown key \`${key}\` in an ignore entry; use code, resource and file.`);
        ok = false;
      }
    if (r['code'] !== undefined) {
      const known = knownCode(r['code']);
      if ('code' in known) rule.code = known.code;
      else {
        bad(['ignore', i, 'code'], known.reason);
        ok = false;
      }
    }
    if (r['resource'] !== undefined) {
      if (typeof r['resource'] === 'string' && /^[A-Za-z][A-Za-z0-9]*\/([^/\s]+\/)?[^/\s]+$/.test(r['resource']))
        rule.resource = r['resource'];
      else {
        bad(
          ['ignore', i, 'resource'],
          '`resource` must be Kind/NAMESPACE/NAME or Kind/NAME (e.g. Service/shop/backend), as diagnostics name objects.',
        );
        ok = false;
      }
    }
    if (r['file'] !== undefined) {
      if (typeof r['file'] === 'string' && r['file'].trim() !== '') rule.file = r['file'].trim().replace(/^\.\//, '');
      else {
        bad(['ignore', i, 'file'], '`file` must be a file or folder path (e.g. k8s/legacy/ or k8s/legacy/svc.yaml).');
        ok = false;
      }
    }
    if (ok && rule.code === undefined && rule.resource === undefined && rule.file === undefined) {
      bad(['ignore', i], 'An ignore entry needs a code, a resource or a file (an empty one would silence everything).');
      ok = false;
    }
    // A half-valid entry is dropped whole: silencing more than was written would hide problems.
    if (ok) rules.push(rule);
  });
  return rules;
}
