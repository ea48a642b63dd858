// Helm chart templates among manifests: a document with `{{ }}` that is a template, not text.
import { EVENT_ID, type Event } from 'js-yaml';

// Helm's own objects and functions: text that names them is a chart template wherever it sits.
const HELM_REFERENCE = /\.(Values|Release|Chart|Capabilities|Files|Template)\b|\b(include|tpl|required|toYaml)\s/;

/**
 * The first `{{ }}` that makes a document a Helm template, if any. Go templates are also ordinary
 * text in rendered manifests (PrometheusRule annotations, Alertmanager templates in ConfigMaps) and
 * in comments; those do not count, so such documents are analysed. A template counts when the
 * document does not parse, when it sits outside any string value, or when it names Helm's objects.
 */
export function helmTemplate(source: string, parsed: Array<[number, number]> | undefined): { index: number; length: number } | undefined {
  const scalars = parsed ?? [];
  // Templates, scalars and comments are all met in source order, so one pass over each is enough:
  // a regex retried at every unclosed `{{`, and a scan of the line and of every scalar per template,
  // were quadratic (160 KB of `{{` took 4 s; a 4 MB file, most of an hour).
  const comment = commentTracker(source);
  let s = 0;
  let from = 0;
  for (;;) {
    const index = source.indexOf('{{', from);
    if (index < 0) return undefined;
    const close = source.indexOf('}}', index + 2);
    if (close < 0) return undefined; // no `{{` after this one closes either
    from = close + 2;
    if (comment(index)) continue;
    while (s < scalars.length && (scalars[s]?.[1] ?? 0) <= index) s++;
    const scalar = scalars[s];
    const inString = scalar !== undefined && index >= scalar[0];
    if (!parsed || !inString || HELM_REFERENCE.test(source.slice(index, from))) return { index, length: from - index };
  }
}

/**
 * Whether a position (asked in increasing order) is inside a `#` comment: the line starts with `#`,
 * or a `#` after whitespace follows the line's last quote. Scans each character once.
 */
function commentTracker(source: string): (index: number) => boolean {
  let at = 0;
  let blank = true; // only whitespace so far on this line
  let lineComment = false;
  let hashAfterQuote = false;
  return (index: number): boolean => {
    for (; at < index; at++) {
      const c = source[at] ?? '';
      if (c === '\n') {
        blank = true;
        lineComment = false;
        hashAfterQuote = false;
        continue;
      }
      const space = /\s/.test(c);
      if (blank && !space) {
        blank = false;
        lineComment = c === '#';
      }
      if (c === "'" || c === '"') hashAfterQuote = false;
      else if (c === '#' && at > 0 && /\s/.test(source[at - 1] ?? '')) hashAfterQuote = true;
    }
    return lineComment || hashAfterQuote;
  };
}

/** The [start, end) of every scalar among events [from, to), shifted to a chunk's own offsets. */
export function scalarRanges(events: Event[], from: number, to: number, shift: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = from; i < to; i++) {
    const ev = events[i] as Event;
    if (ev.type === EVENT_ID.SCALAR) out.push([ev.valueStart - shift, ev.valueEnd - shift]);
  }
  return out;
}
