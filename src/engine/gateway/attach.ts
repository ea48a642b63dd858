// Which listeners a route attaches to through one parentRef, with the reason of the Accepted
// condition the Gateway's controller would write: the listener named by sectionName/port, then
// allowedRoutes (kinds, and namespaces From Same/All/Selector), then hostname intersection.
// Also the listener conflicts that keep a listener from being programmed.
import { selectorMatches, type Labels } from '../cluster/labels';
import { hostnameIntersection } from './hostnames';
import { GATEWAY_GROUP, type Listener, type ParentRef, type ParentStatus, type SimGateway, type SimRoute } from './types';

/** How a listener's protocol shares a port: HTTP with HTTP, HTTPS and TLS together (by SNI), TCP and UDP each alone. */
function portClass(protocol: string): string {
  return protocol === 'HTTPS' || protocol === 'TLS' ? 'tls' : protocol;
}

/**
 * Marks the listeners that conflict with an earlier listener of the same Gateway on the same port
 * (incompatible protocols, or the same hostname where the protocol tells listeners apart by it),
 * and returns each such pair. The earlier listener keeps working; the later is not programmed.
 */
export function markListenerConflicts(gw: SimGateway): Array<{ listener: Listener; other: Listener }> {
  const out: Array<{ listener: Listener; other: Listener }> = [];
  gw.listeners.forEach((l, i) => {
    for (const other of gw.listeners.slice(0, i)) {
      if (other.port !== l.port || other.conflict || (other.protocol === 'UDP') !== (l.protocol === 'UDP')) continue;
      if (portClass(other.protocol) !== portClass(l.protocol)) l.conflict = { reason: 'ProtocolConflict', with: other.name };
      else if ((other.hostname ?? '') === (l.hostname ?? '')) l.conflict = { reason: 'HostnameConflict', with: other.name };
      if (l.conflict) {
        out.push({ listener: l, other });
        break;
      }
    }
  });
  return out;
}

function listenerText(l: Listener): string {
  return `${l.name} (${l.protocol} ${l.port}${l.hostname ? `, ${l.hostname}` : ''})`;
}

/** Whether a listener's allowedRoutes.namespaces lets routes of `namespace` attach. */
export function namespaceAllowed(l: Listener, gw: SimGateway, namespace: string, labels: Labels): boolean {
  switch (l.allowedFrom) {
    case 'All':
      return true;
    case 'Same':
      return namespace === gw.namespace;
    case 'Selector':
      return l.namespaceSelector !== undefined && selectorMatches(l.namespaceSelector, labels);
    case 'None':
      return false;
  }
}

/** Whether a route's hostnames and a listener's hostname intersect (either one absent means any). */
export function hostnamesAttach(l: Listener, route: SimRoute): boolean {
  if (route.kind === 'TCPRoute' || route.kind === 'UDPRoute') return true;
  if (!l.hostname || route.hostnames.length === 0) return true;
  const lh = l.hostname;
  return route.hostnames.some((h) => hostnameIntersection(lh, h) !== undefined);
}

/** The status of one parentRef of a route: accepted with the listeners it attached to, or why not. */
export function attachParent(
  route: SimRoute,
  ref: ParentRef,
  gateways: readonly SimGateway[],
  namespaceLabels: (ns: string) => Labels,
): ParentStatus {
  const status = (
    accepted: boolean,
    reason: ParentStatus['reason'],
    message: string,
    gateway?: SimGateway,
    listeners: Listener[] = [],
  ) => ({
    ref,
    gateway,
    accepted,
    reason,
    message,
    listeners,
  });
  if (ref.group !== GATEWAY_GROUP || ref.kind !== 'Gateway') {
    const what =
      ref.kind === 'Service' && ref.group === ''
        ? 'a Service (a GAMMA mesh route), which the simulation does not carry'
        : `a ${ref.group}/${ref.kind}`;
    return status(false, 'UnsupportedValue', `parentRef ${ref.name} is ${what}; only Gateways are simulated as parents`);
  }
  const gw = gateways.find((g) => g.namespace === ref.namespace && g.name === ref.name);
  if (!gw)
    return status(false, 'NoMatchingParent', `no Gateway ${ref.namespace}/${ref.name} exists, so no controller accepts this parentRef`);
  if (!gw.gatewayClass)
    return status(
      false,
      'Pending',
      `Gateway ${ref.namespace}/${ref.name} names GatewayClass ${gw.className || '(none)'}, which does not exist, so no controller programs it or reconciles this route`,
      gw,
    );
  const named = gw.listeners.filter(
    (l) => (ref.sectionName === undefined || l.name === ref.sectionName) && (ref.port === undefined || l.port === ref.port),
  );
  if (named.length === 0) {
    const asked = [ref.sectionName !== undefined ? `sectionName ${ref.sectionName}` : '', ref.port !== undefined ? `port ${ref.port}` : '']
      .filter(Boolean)
      .join(' and ');
    return status(
      false,
      'NoMatchingParent',
      `Gateway ${ref.namespace}/${ref.name} has no listener with ${asked} (its listeners: ${gw.listeners.map(listenerText).join(', ')})`,
      gw,
    );
  }
  const programmed = named.filter((l) => !l.conflict && !l.unsupported);
  if (programmed.length === 0) {
    const why = named
      .map((l) => `${l.name}: ${l.conflict ? `${l.conflict.reason} with listener ${l.conflict.with}` : l.unsupported}`)
      .join('; ');
    return status(false, 'NoMatchingParent', `the listeners it names are not programmed (${why})`, gw);
  }
  const kindOk = programmed.filter((l) => l.supportedKinds.includes(route.kind));
  if (kindOk.length === 0)
    return status(
      false,
      'NotAllowedByListeners',
      `no listener it names accepts ${route.kind}s (${programmed.map((l) => `${l.name} takes ${l.supportedKinds.join(', ') || 'no route kind'}`).join('; ')})`,
      gw,
    );
  const labels = namespaceLabels(route.namespace);
  const nsOk = kindOk.filter((l) => namespaceAllowed(l, gw, route.namespace, labels));
  if (nsOk.length === 0) {
    const why = kindOk
      .map(
        (l) =>
          `${l.name} allows routes from ${l.allowedFrom === 'Same' ? `namespace ${gw.namespace} only` : l.allowedFrom === 'Selector' ? 'namespaces matching its selector' : 'no namespace'}`,
      )
      .join('; ');
    return status(false, 'NotAllowedByListeners', `routes of namespace ${route.namespace} may not attach (${why})`, gw);
  }
  const attached = nsOk.filter((l) => hostnamesAttach(l, route));
  if (attached.length === 0)
    return status(
      false,
      'NoMatchingListenerHostname',
      `none of its hostnames (${route.hostnames.join(', ')}) intersects the hostname of a listener it may attach to (${nsOk.map(listenerText).join(', ')})`,
      gw,
    );
  return status(
    true,
    'Accepted',
    `attached to listener${attached.length > 1 ? 's' : ''} ${attached.map(listenerText).join(', ')}`,
    gw,
    attached,
  );
}
