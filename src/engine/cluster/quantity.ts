// Kubernetes resource quantities the simulation reads: a node's allocatable CPU.

/** A CPU quantity (`4`, `3920m`, `2.5`) in millicores; undefined when it is not one. */
export function milliCPU(value: unknown): number | undefined {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] === 'm' ? Math.floor(n) : Math.round(n * 1000);
}
