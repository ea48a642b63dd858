import type { FieldReader } from '../manifests/fields';
import { isRecord } from '../manifests/fields';
import type { FieldPath } from '../source';

export type Labels = Readonly<Record<string, string>>;

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelSelector {
  matchLabels: Labels;
  matchExpressions: Array<{ key: string; operator: SelectorOperator; values: string[] }>;
}

export const EVERYTHING: LabelSelector = { matchLabels: {}, matchExpressions: [] };

/** True when the selector selects everything (`{}`), as the API defines an empty selector. */
export function isEmptySelector(s: LabelSelector): boolean {
  return Object.keys(s.matchLabels).length === 0 && s.matchExpressions.length === 0;
}

/** Reads a metav1.LabelSelector, reporting malformed parts; absent gives undefined. */
export function readSelector(r: FieldReader, path: FieldPath): LabelSelector | undefined {
  const raw = r.raw(path);
  if (raw === undefined || raw === null) return undefined;
  if (!isRecord(raw)) {
    r.map(path); // reports the wrong type
    return undefined;
  }
  const matchLabels = r.labels([...path, 'matchLabels']);
  const matchExpressions: LabelSelector['matchExpressions'] = [];
  const exprs = r.list([...path, 'matchExpressions']) ?? [];
  exprs.forEach((_, i) => {
    const p = [...path, 'matchExpressions', i];
    const key = r.str([...p, 'key']);
    const operator = r.str([...p, 'operator']);
    // Only scalars are label values; String() of a nested (possibly alias-bombed) list would expand it.
    const values = (r.list([...p, 'values']) ?? []).filter((v) => typeof v !== 'object' || v === null).map((v) => String(v));
    if (key === undefined) return r.invalid(p, 'A matchExpression needs a `key`.');
    if (operator !== 'In' && operator !== 'NotIn' && operator !== 'Exists' && operator !== 'DoesNotExist') {
      return r.invalid([...p, 'operator'], `operator must be In, NotIn, Exists or DoesNotExist, not ${JSON.stringify(operator ?? null)}.`);
    }
    if ((operator === 'In' || operator === 'NotIn') && values.length === 0) {
      return r.invalid([...p, 'values'], `operator ${operator} needs a non-empty \`values\` list.`);
    }
    if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0) {
      return r.invalid([...p, 'values'], `operator ${operator} must not have \`values\`.`);
    }
    matchExpressions.push({ key, operator, values });
  });
  return internSelector({ matchLabels, matchExpressions });
}

/**
 * One object per distinct selector: generated and templated policies repeat a few selectors
 * thousands of times (`app: web` in every namespace), and each copy carried its own arrays,
 * compiled matcher and canonical key (a fifth of the policies' memory at 6,000 pods). Selectors
 * are never mutated, so equal ones may be one object; the key keeps the entries' order, which
 * messages show. Cleared when it grows large, so a long-running host does not keep old ones.
 */
const interned = new Map<string, LabelSelector>();
const MAX_INTERNED = 50_000;

function internSelector(s: LabelSelector): LabelSelector {
  const key = JSON.stringify([s.matchLabels, s.matchExpressions]);
  const known = interned.get(key);
  if (known) return known;
  if (interned.size >= MAX_INTERNED) interned.clear();
  interned.set(key, s);
  return s;
}

/** Whether a label set satisfies a selector (matchLabels and every expression, ANDed). */
export function selectorMatches(s: LabelSelector, labels: Labels): boolean {
  if (!mapMatches(s.matchLabels, labels)) return false;
  for (const e of s.matchExpressions) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const value = labels[e.key];
    switch (e.operator) {
      case 'In':
        if (!has || !e.values.includes(value as string)) return false;
        break;
      case 'NotIn':
        if (has && e.values.includes(value as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** A Service-style equality selector (a plain map). */
export function mapMatches(selector: Labels, labels: Labels): boolean {
  // for-in rather than Object.entries: this runs for every (selector, pod) pair, and allocating an
  // entries array each time made garbage collection dominate large workspaces.
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}

/** kubectl's way of writing a selector: `app=web,tier in (a,b),!legacy`. */
export function selectorText(s: LabelSelector): string {
  const parts = Object.entries(s.matchLabels).map(([k, v]) => `${k}=${v}`);
  for (const e of s.matchExpressions) {
    if (e.operator === 'In') parts.push(`${e.key} in (${e.values.join(',')})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${e.values.join(',')})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else parts.push(`!${e.key}`);
  }
  return parts.length ? parts.join(',') : '{} (everything)';
}

export function labelsText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(',') : '(none)';
}
