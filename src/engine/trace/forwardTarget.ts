// What `kubectl port-forward` is pointed at, as `trace --from local --to` takes it:
// `svc/NAME[.NS]:PORT`, `pod/NS/NAME:PORT` or `deploy/NS/NAME:PORT` (also sts/, ds/, rs/ and
// kubectl's long names), where PORT is kubectl's `[LOCAL:]REMOTE` and REMOTE a number or a port name.
import { DEFAULT_NAMESPACE } from '../manifests/kinds';

export type ForwardResource = 'Service' | 'Pod' | 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet';

export interface ForwardTarget {
  text: string;
  resource: ForwardResource;
  /** The short name kubectl users type (`svc`, `pod`, `deploy`, ...). */
  short: string;
  namespace: string;
  name: string;
  /** Undefined for `:REMOTE` (kubectl listens on a random free port); the remote port when only REMOTE is given. */
  local: number | undefined;
  /** `:REMOTE`: kubectl listens on a random free local port. */
  randomLocal: boolean;
  /** A port number or a port name. */
  remote: number | string;
}

const RESOURCES: Array<{ names: string[]; resource: ForwardResource; short: string }> = [
  { names: ['svc', 'service', 'services'], resource: 'Service', short: 'svc' },
  { names: ['po', 'pod', 'pods'], resource: 'Pod', short: 'pod' },
  { names: ['deploy', 'deployment', 'deployments'], resource: 'Deployment', short: 'deploy' },
  { names: ['sts', 'statefulset', 'statefulsets'], resource: 'StatefulSet', short: 'sts' },
  { names: ['ds', 'daemonset', 'daemonsets'], resource: 'DaemonSet', short: 'ds' },
  { names: ['rs', 'replicaset', 'replicasets'], resource: 'ReplicaSet', short: 'rs' },
];

const FORMS = 'svc/NAME[.NAMESPACE]:PORT, pod/NAMESPACE/NAME:PORT or deploy/NAMESPACE/NAME:PORT (PORT is [LOCAL:]REMOTE)';

/** Whether a TARGET names a port-forward resource (`svc/…`, `pod/…`, `deploy/…`) rather than a URL or HOST:PORT. */
export function isForwardTarget(text: string): boolean {
  const prefix = /^([a-z]+)\//i.exec(text.trim())?.[1]?.toLowerCase();
  return prefix !== undefined && RESOURCES.some((r) => r.names.includes(prefix));
}

const portOf = (s: string): number | string | undefined => {
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    return n >= 1 && n <= 65535 ? n : undefined;
  }
  // A port name (IANA_SVC_NAME: at most 15 lower-case letters, digits and dashes).
  return /^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(s) && /[a-z]/.test(s) ? s : undefined;
};

/** Parses a port-forward TARGET; the message says which form is expected. */
export function parseForwardTarget(text: string): { ok: true; target: ForwardTarget } | { ok: false; message: string } {
  const t = text.trim();
  const m = /^([a-z]+)\/([^:]+)(?::(.*))?$/i.exec(t);
  const kind = RESOURCES.find((r) => r.names.includes((m?.[1] ?? '').toLowerCase()));
  if (!m || !kind) return { ok: false, message: `${t}: a port-forward target is ${FORMS}` };
  const ref = m[2] as string;
  const ports = m[3];
  if (ports === undefined || ports === '') return { ok: false, message: `${t}: name the port to forward (${FORMS})` };
  let namespace: string;
  let name: string;
  const parts = ref.split('/');
  if (parts.length === 2) [namespace, name] = parts as [string, string];
  else if (parts.length === 1 && kind.resource === 'Service') {
    // A Service name is a DNS label (no dots), so NAME.NS is unambiguous.
    const dot = ref.indexOf('.');
    name = dot < 0 ? ref : ref.slice(0, dot);
    namespace = dot < 0 ? DEFAULT_NAMESPACE : ref.slice(dot + 1);
  } else return { ok: false, message: `${t}: write ${kind.short}/NAMESPACE/NAME:PORT (${FORMS})` };
  if (!namespace || !name || namespace.includes('.')) return { ok: false, message: `${t}: a port-forward target is ${FORMS}` };
  const split = ports.split(':');
  if (split.length > 2) return { ok: false, message: `${t}: PORT is [LOCAL:]REMOTE, as kubectl port-forward takes it` };
  const remoteText = split[split.length - 1] as string;
  const remote = portOf(remoteText);
  if (remote === undefined) return { ok: false, message: `${t}: ${remoteText || '(empty)'} is not a port number (1-65535) or a port name` };
  let local: number | undefined;
  const randomLocal = split.length === 2 && split[0] === '';
  if (split.length === 2) {
    const l = split[0] === '' ? undefined : portOf(split[0] as string);
    if (split[0] !== '' && typeof l !== 'number')
      return { ok: false, message: `${t}: the local port ${split[0]} is not a number in 1-65535` };
    local = l as number | undefined;
  } else local = typeof remote === 'number' ? remote : undefined;
  return { ok: true, target: { text: t, resource: kind.resource, short: kind.short, namespace, name, local, randomLocal, remote } };
}
