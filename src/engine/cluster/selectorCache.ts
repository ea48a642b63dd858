import type { LabelSelector } from './labels';
import { type Labels } from './labels';

type Matcher = (labels: Labels) => boolean;

const compiled = new WeakMap<LabelSelector, Matcher>();
const has = (labels: Labels, key: string) => Object.prototype.hasOwnProperty.call(labels, key);

/**
 * selectorMatches, compiled once per selector: the matrix and the diagnostics match the same
 * few thousand selectors against pods millions of times, and re-reading each selector's
 * entries every time was most of their cost.
 */
export function matchesSelector(s: LabelSelector, labels: Labels): boolean {
  let m = compiled.get(s);
  if (!m) {
    m = compile(s);
    compiled.set(s, m);
  }
  return m(labels);
}

function compile(s: LabelSelector): Matcher {
  const keys = Object.keys(s.matchLabels);
  const values = keys.map((k) => s.matchLabels[k]);
  const exprs = s.matchExpressions.map((e) => ({ key: e.key, operator: e.operator, values: new Set(e.values) }));
  if (keys.length === 0 && exprs.length === 0) return () => true;
  return (labels) => {
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      if (!has(labels, k) || labels[k] !== values[i]) return false;
    }
    for (const e of exprs) {
      const present = has(labels, e.key);
      switch (e.operator) {
        case 'In':
          if (!present || !e.values.has(labels[e.key] as string)) return false;
          break;
        case 'NotIn':
          if (present && e.values.has(labels[e.key] as string)) return false;
          break;
        case 'Exists':
          if (!present) return false;
          break;
        case 'DoesNotExist':
          if (present) return false;
          break;
      }
    }
    return true;
  };
}

const keys = new WeakMap<LabelSelector, string>();

/**
 * A canonical text of a selector (entries sorted), equal for selectors that select the same way:
 * generated policies repeat a few shapes thousands of times, and answers about a shape can be
 * shared by key.
 */
export function selectorKey(s: LabelSelector): string {
  let k = keys.get(s);
  if (k === undefined) {
    const labels = Object.keys(s.matchLabels)
      .sort()
      .map((key) => [key, s.matchLabels[key]]);
    const exprs = s.matchExpressions.map((e) => JSON.stringify([e.key, e.operator, [...new Set(e.values)].sort()])).sort();
    k = JSON.stringify([labels, exprs]);
    keys.set(s, k);
  }
  return k;
}
