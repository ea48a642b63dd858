// Parse limits: what a host may bound, and the alias expansion js-yaml does not bound itself.
import { EVENT_ID, type Event } from 'js-yaml';

export interface ParseLimits {
  maxFileBytes: number;
  maxAliases: number;
  maxDepth: number;
  /** Most nodes a document's aliases may expand to (billion laughs: 81 aliases expanding to 3.5 billion nodes). */
  maxAliasNodes?: number;
}

export const DEFAULT_LIMITS: ParseLimits = { maxFileBytes: 4 * 1024 * 1024, maxAliases: 1000, maxDepth: 100, maxAliasNodes: 100_000 };

/** A document over a parse limit that js-yaml itself does not enforce; reported as yaml-limit. */
class YamlLimitError extends Error {
  constructor(
    readonly reason: string,
    readonly mark: { position: number },
  ) {
    super(reason);
  }
}

/**
 * Throws when a document's aliases, expanded, exceed the limit. Constructed aliases share one
 * object, but whatever walks or prints the value (a message, String(), JSON) expands them: nine
 * aliases of nine aliases ten deep is 81 aliases and 3.5 billion nodes, and hung the analysis.
 */
export function checkAliasExpansion(events: Event[], source: string, limits: ParseLimits): void {
  const limit = limits.maxAliasNodes ?? DEFAULT_LIMITS.maxAliasNodes ?? 100_000;
  const sizes = new Map<string, number>();
  const stack: Array<{ size: number; anchor: string | undefined }> = [];
  const add = (n: number) => {
    const top = stack[stack.length - 1];
    if (top) top.size += n;
  };
  const anchorOf = (ev: { anchorStart: number; anchorEnd: number }) =>
    ev.anchorStart >= 0 ? source.slice(ev.anchorStart, ev.anchorEnd) : undefined;
  let expanded = 0;
  for (const ev of events) {
    switch (ev.type) {
      case EVENT_ID.DOCUMENT:
        sizes.clear();
        expanded = 0;
        stack.push({ size: 0, anchor: undefined });
        break;
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE:
        stack.push({ size: 1, anchor: anchorOf(ev) });
        break;
      case EVENT_ID.SCALAR: {
        const anchor = anchorOf(ev);
        if (anchor !== undefined) sizes.set(anchor, 1);
        add(1);
        break;
      }
      case EVENT_ID.ALIAS: {
        const n = sizes.get(source.slice(ev.anchorStart, ev.anchorEnd)) ?? 1;
        expanded += n;
        if (expanded > limit)
          throw new YamlLimitError(`its aliases expand to more than ${limit} nodes (an alias bomb such as "billion laughs")`, {
            position: Math.max(0, ev.anchorStart - 1),
          });
        add(n);
        break;
      }
      case EVENT_ID.POP: {
        const frame = stack.pop();
        if (frame?.anchor !== undefined) sizes.set(frame.anchor, frame.size);
        if (frame) add(frame.size);
        break;
      }
    }
  }
}
