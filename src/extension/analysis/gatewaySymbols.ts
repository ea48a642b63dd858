// Runs in the analysis worker (no vscode here): the Gateway API's hovers. On a route's parentRef
// the listeners it attached to (or the Accepted reason why not), on a hostname the listeners that
// serve it, on a backendRef the Service, its endpoints, its weight's share and whether it resolves,
// on a listener the routes attached to it.
import { serviceId, type Analysis, type SourceRange } from '../../engine';

export interface GatewaySymbol {
  range: SourceRange;
  lines: string[];
}

function code(text: string): string {
  return '`' + text.replace(/`/g, "'").replace(/[\r\n]+/g, ' ') + '`';
}

type Here = (origin: { kind: string; object?: { file: string } }) => boolean;

export function gatewaySymbols(a: Analysis, here: Here): GatewaySymbol[] {
  const model = a.gateway;
  const out: GatewaySymbol[] = [];
  for (const gw of model.gateways) {
    if (gw.origin.kind !== 'manifest' || !here(gw.origin)) continue;
    const o = gw.origin.object;
    for (const l of gw.listeners) {
      const s = model.listenerStatus(gw, l);
      const routes = model.routesOn(gw, l);
      out.push({
        range: o.locate([...l.fieldPath, 'name']),
        lines: [
          `**Listener ${code(l.name)}** ${l.protocol} ${l.port}${l.hostname ? ` for ${code(l.hostname)}` : ''}: ${s.attachedRoutes} route${s.attachedRoutes === 1 ? '' : 's'} attached`,
          '',
          ...routes.map(
            (r) => `- ${r.kind} ${code(`${r.namespace}/${r.name}`)}${r.hostnames.length ? ` (${r.hostnames.map(code).join(', ')})` : ''}`,
          ),
          ...s.problems.map((p) => `- ${p}`),
          ...(gw.addresses.length ? ['', `Address: ${gw.addresses.map(code).join(', ')}`] : []),
        ],
      });
    }
  }
  for (const route of model.routes) {
    if (route.origin.kind !== 'manifest' || !here(route.origin)) continue;
    const o = route.origin.object;
    const status = model.status(route);
    for (const p of status.parents) {
      const lines = [
        `**parentRef ${code(`${p.ref.namespace}/${p.ref.name}`)}${p.ref.sectionName ? ` / ${code(p.ref.sectionName)}` : ''}**: Accepted ${p.accepted ? 'True' : 'False'} (${p.reason})`,
        '',
        p.message,
      ];
      // The entry's start (where the diagnostic is) and the Gateway's name, which is what one hovers.
      out.push({ range: o.locate(p.ref.fieldPath), lines });
      if (o.has([...p.ref.fieldPath, 'name'])) out.push({ range: o.locate([...p.ref.fieldPath, 'name']), lines });
    }
    const listeners = [...new Set(status.parents.filter((p) => p.accepted).flatMap((p) => p.listeners))];
    if (route.hostnames.length > 0)
      out.push({
        range: o.locate(['spec', 'hostnames']),
        lines: [
          `**Hostnames** ${route.hostnames.map(code).join(', ')}`,
          '',
          listeners.length
            ? `Served on listener${listeners.length > 1 ? 's' : ''} ${listeners.map((l) => code(`${l.name} ${l.protocol}/${l.port}${l.hostname ? ` ${l.hostname}` : ''}`)).join(', ')}`
            : 'No listener serves them: the route is attached nowhere.',
          'A wildcard `*.example.com` matches any number of labels before `.example.com`, never `example.com` itself.',
        ],
      });
    for (const b of status.backends) {
      const rule = b.rule >= 0 ? model.ruleBackends(route, b.rule) : [];
      const total = rule.reduce((n, x) => n + x.ref.weight, 0);
      const share =
        b.rule < 0
          ? 'a mirror: copies of the requests, answers dropped'
          : total > 0
            ? `weight ${b.ref.weight} of ${total} (${Math.round((b.ref.weight / total) * 100)}%)`
            : 'weight 0: no traffic';
      const svc = b.service;
      const eps = svc && b.port ? (svc.endpointsByPort[svc.ports.indexOf(b.port)] ?? []) : [];
      out.push({
        range: o.locate([...b.ref.fieldPath, 'name']),
        lines: [
          `**backendRef ${code(`${b.ref.namespace}/${b.ref.name}${b.ref.port !== undefined ? `:${b.ref.port}` : ''}`)}**: ${b.resolved ? 'resolved' : `ResolvedRefs False (${b.reason})`}, ${share}`,
          '',
          b.message,
          ...(svc && b.resolved
            ? [
                '',
                `Endpoints of ${code(serviceId(svc))}:`,
                ...(eps.length
                  ? eps.slice(0, 6).map((e) => `- ${code(`${e.ip}:${e.port}`)} ${code(e.pod)}`)
                  : ['- none: the Gateway gets no answer']),
              ]
            : []),
        ],
      });
    }
  }
  return out;
}
