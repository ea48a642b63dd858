// The view's own measurement of its first paint, read by the perf test (test/e2e/ui/topology-perf):
// when the page started, when the topology arrived and how long it was on its way, when the panel
// was opened, and when the browser had painted the drawing built from it.
import type { ToPage } from '../src/shared/protocol';

/** When this page started running (epoch ms). */
const bootAt = Date.now();

/** Puts on the drawing how long the message took from the extension and the page's timeline (epoch ms: document start, script start, the topology's arrival). */
export function markArrival(el: SVGSVGElement, m: Extract<ToPage, { type: 'topology' }>, arrived: number): void {
  if (m.sentAt !== undefined) el.setAttribute('data-transit-ms', String(Math.max(0, Math.round(arrived - m.sentAt))));
  el.setAttribute('data-timeline', `${Math.round(performance.timeOrigin)} ${bootAt} ${arrived}`);
  if (m.queryMs !== undefined) el.setAttribute('data-query-ms', String(m.queryMs));
  if (m.openedAt !== undefined) el.setAttribute('data-opened-at', String(m.openedAt));
}

/**
 * Marks when the browser has painted the drawing just built (data-painted-at, epoch ms): a frame's
 * callbacks run before its paint, and a task queued from one runs after it. Building the elements
 * (data-draw-ms) is not yet seeing them. `then` runs after that paint.
 */
export function markPainted(el: SVGSVGElement, then?: () => void): void {
  requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      el.setAttribute('data-painted-at', String(Date.now()));
      then?.();
    };
    channel.port2.postMessage(null);
  });
}
