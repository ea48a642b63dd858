// The ports a container serves beyond the ones it declares: many manifests bind their port on the
// command line and never list it under `ports` (`args: [--port, "18080"]`, `--listen=:8080`).
// Declared ports remain what Services and policies name; these only keep the simulation from
// saying "nothing listens there" about a port the process does bind.
import type { SimContainer, SimPod } from './model';

// Flags that name an address or port to bind: `--port`, `-http-port`, `--metrics-bind-address`, `--listen`.
const BIND_FLAG =
  /^--?((?:[\w.]+[-_.])*?)(port|listen|listen[-_]?addr(?:ess)?|bind|bind[-_]?addr(?:ess)?|addr|address|http[-_]?addr(?:ess)?)$/i;
// A flag about somewhere else to connect to, not a port to serve.
const REMOTE =
  /(upstream|remote|target|backend|peer|connect|master|api-?server|redis|mysql|postgres|mongo|database|db|broker|zookeeper|etcd|kafka|proxy-to|forward|dest|dst|sink|collector|server-addr|registry|smtp)/i;

/** The port a flag value binds: `18080`, `:8080`, `0.0.0.0:8080`, `[::]:8080`, `tcp://0.0.0.0:8080`. */
function valuePort(value: string, numericOk: boolean): number | undefined {
  const v = value.trim().replace(/^['"]|['"]$/g, '');
  const m = numericOk && /^\d{1,5}$/.test(v) ? [v, v] : /(?:^|:)(\d{1,5})\/?$/.exec(v.replace(/^[a-z]+:\/\//i, ''));
  const n = m ? Number(m[1]) : NaN;
  return n >= 1 && n <= 65535 ? n : undefined;
}

/** Ports the container's command line binds: `--port=18080`, `--port 18080` (flag and value as two items), `-port 18080`. */
export function commandLinePorts(c: SimContainer): number[] {
  // Items may hold several words (`sh -c "server --port 8080"`); flags and values are read across them.
  const tokens = (c.argv ?? []).flatMap((a) => (a.length > 4096 ? [] : a.split(/\s+/).filter((t) => t !== '')));
  const out = new Set<number>();
  tokens.forEach((t, i) => {
    const eq = t.indexOf('=');
    const flag = eq > 0 ? t.slice(0, eq) : t;
    const m = BIND_FLAG.exec(flag);
    if (!m || REMOTE.test(m[1] ?? '')) return;
    const numericOk = /port/i.test(m[2] ?? '');
    const value = eq > 0 ? t.slice(eq + 1) : tokens[i + 1];
    const port = value !== undefined && !value.startsWith('-') ? valuePort(value, numericOk) : undefined;
    if (port !== undefined) out.add(port);
  });
  return [...out].sort((a, b) => a - b);
}

/** Whether some container of the pod declares `port` or binds it on its command line. */
export function podServes(pod: SimPod, port: number, protocol: string): boolean {
  return pod.containers.some(
    (c) =>
      c.ports.some((p) => p.containerPort === port && p.protocol === protocol) ||
      (protocol === 'TCP' && commandLinePorts(c).includes(port)),
  );
}
