import type { LabelSelector } from './labels';
import { matchesSelector } from './selectorCache';
import { mapMatches, type Labels } from './labels';

/**
 * The items of a list (the pods of one namespace, say) a selector matches, found through an index
 * of label values built per key on first use: a selector's candidates are the items carrying one
 * key=value it requires (its first matchLabels entry, or a one-value `In`), then fully checked.
 * Thousands of generated policies each matching every pod of their namespace was most of the
 * checks' selector work. Answers keep the list's order.
 */
export class LabelIndex<T extends { labels: Labels }> {
  private readonly byKey = new Map<string, Map<string, T[]>>();

  constructor(private readonly items: readonly T[]) {}

  /** The items the selector matches, in list order. */
  matching(s: LabelSelector): T[] {
    return this.candidates(s).filter((x) => matchesSelector(s, x.labels));
  }

  /** Whether the selector matches some item. */
  some(s: LabelSelector): boolean {
    return this.candidates(s).some((x) => matchesSelector(s, x.labels));
  }

  /** The items a Service-style equality selector matches, in list order. */
  matchingMap(selector: Labels): T[] {
    const key = Object.keys(selector)[0];
    const candidates = key === undefined ? this.items : this.withValue(key, selector[key] as string);
    return candidates.filter((x) => mapMatches(selector, x.labels));
  }

  private candidates(s: LabelSelector): readonly T[] {
    const keys = Object.keys(s.matchLabels);
    const key = keys[0];
    if (key !== undefined) return this.withValue(key, s.matchLabels[key] as string);
    for (const e of s.matchExpressions)
      if (e.operator === 'In' && e.values.length === 1) return this.withValue(e.key, e.values[0] as string);
    return this.items;
  }

  private withValue(key: string, value: string): readonly T[] {
    let byValue = this.byKey.get(key);
    if (!byValue) {
      byValue = new Map();
      for (const x of this.items) {
        if (!Object.prototype.hasOwnProperty.call(x.labels, key)) continue;
        const v = x.labels[key] as string;
        const list = byValue.get(v);
        if (list) list.push(x);
        else byValue.set(v, [x]);
      }
      this.byKey.set(key, byValue);
    }
    return byValue.get(value) ?? [];
  }
}
