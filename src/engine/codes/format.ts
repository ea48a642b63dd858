// The shape of a catalogue entry, and what the entries' messages and kubectl commands share.

export type Severity = 'error' | 'warning' | 'info';

export type Params = Record<string, string | number>;

export interface CodeInfo {
  severity: Severity;
  /** One line for the README catalogue and SARIF rule metadata. */
  summary: string;
  docs: string;
  format: (p: Params) => string;
  /** The `kubectl` commands that verify the finding on a live cluster, from the params and the resource. */
  verify?: (p: Params, r: ResourceRef | undefined) => string[];
}

/** `Kind/namespace/name` (or `Kind/name`) split up, for the kubectl commands. */
export interface ResourceRef {
  kind: string;
  namespace: string | undefined;
  name: string;
}

export function parseResource(resource: string | undefined): ResourceRef | undefined {
  if (resource === undefined) return undefined;
  const parts = resource.split('/');
  if (parts.length === 3) return { kind: parts[0] ?? '', namespace: parts[1], name: parts[2] ?? '' };
  if (parts.length === 2) return { kind: parts[0] ?? '', namespace: undefined, name: parts[1] ?? '' };
  return undefined;
}

/** `-n NS` for a kubectl command (nothing for cluster-scoped objects). */
export const nsFlag = (ns: string | number | undefined) => (ns === undefined || ns === '' ? '' : ` -n ${ns}`);
/** `ns/name` of a pod named as `pod ns/name` in a message param. */
export const podParam = (text: string | number | undefined) => /^pod ([^/\s]+)\/(\S+)$/.exec(String(text ?? ''));
/** `NAME -n NS` for an object given as `ns/name` in a message param. */
export const named = (id: string | number | undefined) => {
  const [ns, name] = String(id ?? '').split('/');
  return name === undefined ? String(ns) : `${name}${nsFlag(ns)}`;
};
export const kubectlPolicies = (ns: string | undefined) => `kubectl get networkpolicy${nsFlag(ns)}`;

export const DOCS = 'https://kubernetes.io/docs';
