// What the user silenced: the `ignore:` list of kube-netsim.yaml and `# kube-netsim: ignore CODE`
// comments in the manifests. A CI job on a repository with one known, accepted issue needs a
// green run without turning a whole check off; a suppressed diagnostic is left out of every output
// and of the exit status, and only counted.
//
// A comment silences the codes it names (`all` for every code)
//  - on the line it is on (after the field at fault: `targetPort: 9000  # kube-netsim: ignore X`),
//  - on the next line when it is a line of its own (just above the field at fault),
//  - in the whole document when it is among the comments at the document's top (before its
//    first key, or on its `---` line): every diagnostic about that object.
import type { IncrementalState } from '../incremental/state';
import type { Diagnostic } from '../diagnostics';
import type { IgnoreRule } from '../cluster/settings';
import type { InputFile, ManifestObject } from '../manifests/types';
import { parseResource } from '../catalogue';
import { namespaceOf } from '../manifests/kinds';

const DIRECTIVE = /(?:^|\s)#\s*kube-netsim:\s*ignore\b([^#\n]*)/;

/** The codes a file's comments silence: per line, and per document (by its first and last line). */
interface FileIgnores {
  lines: Map<number, Set<string>>;
  documents: Array<{ from: number; to: number; codes: Set<string> }>;
}

/** Splits diagnostics into those shown and those the user silenced. */
export function applyIgnores(
  diagnostics: Diagnostic[],
  files: InputFile[],
  rules: readonly IgnoreRule[],
  objects: readonly ManifestObject[],
  incremental?: IncrementalState,
): { shown: Diagnostic[]; suppressed: Diagnostic[] } {
  const texts = new Map(files.map((f) => [f.path, f.text]));
  const comments = new Map<string, FileIgnores | undefined>();
  // An unchanged file's directives are the previous analysis's: searching every text again for them was most of this.
  const kept = incremental?.slot('file-ignores', () => ({ byFile: new Map<string, { text: string; ignores: FileIgnores | undefined }>() }));
  const commentsOf = (file: string): FileIgnores | undefined => {
    if (!comments.has(file)) {
      const text = texts.get(file);
      const known = kept?.byFile.get(file);
      comments.set(
        file,
        known !== undefined && known.text === text
          ? known.ignores
          : text !== undefined && text.includes('kube-netsim:')
            ? scanComments(text)
            : undefined,
      );
    }
    return comments.get(file);
  };
  const spans = rules.some((r) => r.resource !== undefined) ? objectSpans(objects) : undefined;
  const shown: Diagnostic[] = [];
  const suppressed: Diagnostic[] = [];
  for (const d of diagnostics) {
    const silenced = byComment(d, commentsOf(d.range.file)) || rules.some((r) => matchesRule(d, r, spans));
    (silenced ? suppressed : shown).push(d);
  }
  if (kept) {
    const byFile = new Map<string, { text: string; ignores: FileIgnores | undefined }>();
    for (const [file, ignores] of comments) {
      const text = texts.get(file);
      if (text !== undefined) byFile.set(file, { text, ignores });
    }
    kept.byFile = byFile;
  }
  return { shown, suppressed };
}

function silences(codes: Set<string> | undefined, code: string): boolean {
  return codes !== undefined && (codes.has(code) || codes.has('all'));
}

function byComment(d: Diagnostic, ignores: FileIgnores | undefined): boolean {
  if (!ignores) return false;
  const line = d.range.line;
  if (silences(ignores.lines.get(line), d.code)) return true;
  return ignores.documents.some((doc) => doc.from <= line && line <= doc.to && silences(doc.codes, d.code));
}

/** The directives of a text: per line (the comment's own, and the next one for a comment line), per document (its top comments). */
function scanComments(text: string): FileIgnores {
  const lines = new Map<number, Set<string>>();
  const documents: FileIgnores['documents'] = [];
  const add = (line: number, codes: Set<string>) => {
    const set = lines.get(line) ?? new Set<string>();
    for (const c of codes) set.add(c);
    lines.set(line, set);
  };
  let doc: { from: number; to: number; codes: Set<string> } = { from: 1, to: 1, codes: new Set() };
  let atTop = true;
  const all = text.split('\n');
  all.forEach((raw, i) => {
    const n = i + 1;
    const marker = /^---(\s|$)/.test(raw);
    if (marker) {
      if (n > 1) documents.push({ ...doc, to: n - 1 });
      doc = { from: n, to: n, codes: new Set() };
      atTop = true;
    }
    const m = DIRECTIVE.exec(raw);
    const codes = m ? new Set((m[1] ?? '').split(/[\s,]+/).filter((c) => c !== '')) : undefined;
    const content = raw.replace(/^---/, '').trim();
    const commentOnly = content === '' || content.startsWith('#');
    if (codes) {
      if (atTop && commentOnly) for (const c of codes) doc.codes.add(c);
      add(n, codes);
      if (/^\s*#/.test(raw)) add(n + 1, codes);
    }
    if (!commentOnly) atTop = false;
  });
  documents.push({ ...doc, to: all.length });
  return { lines, documents: documents.filter((d) => d.codes.size > 0) };
}

/** Where each object is written: its file and the lines from its start to the next object's. */
interface ObjectSpan {
  kind: string;
  namespace: string | undefined;
  name: string;
  file: string;
  from: number;
  to: number;
}

function objectSpans(objects: readonly ManifestObject[]): ObjectSpan[] {
  const byFile = new Map<string, Array<{ o: ManifestObject; line: number }>>();
  for (const o of objects) {
    const list = byFile.get(o.file) ?? [];
    list.push({ o, line: o.locate([]).line });
    byFile.set(o.file, list);
  }
  const out: ObjectSpan[] = [];
  for (const [file, list] of byFile) {
    list.sort((a, b) => a.line - b.line);
    list.forEach(({ o, line }, i) => {
      const next = list[i + 1]?.line;
      out.push({
        kind: o.kind,
        namespace: namespaceOf(o),
        name: o.name,
        file,
        from: line,
        to: next !== undefined && next > line ? next - 1 : Number.MAX_SAFE_INTEGER,
      });
    });
  }
  return out;
}

/** Whether `Kind/NAMESPACE/NAME` or `Kind/NAME` (any namespace) names this object. */
function namesObject(rule: string, kind: string, namespace: string | undefined, name: string): boolean {
  const r = parseResource(rule);
  if (!r || r.kind !== kind || r.name !== name) return false;
  return r.namespace === undefined || r.namespace === (namespace ?? 'default');
}

/**
 * Whether `file` is the file `path` names or lies in the folder it names, compared by whole path
 * segments from the end: the CLI names files from the working directory and the editor from the
 * workspace folder, so `legacy/` must match `k8s/legacy/svc.yaml` in both.
 */
function underPath(file: string, path: string): boolean {
  const p = path.replace(/^\.\//, '').replace(/\/+$/, '');
  if (p === '') return false;
  const f = `/${file}`;
  return f.endsWith(`/${p}`) || f.includes(`/${p}/`);
}

function matchesRule(d: Diagnostic, rule: IgnoreRule, spans: ObjectSpan[] | undefined): boolean {
  if (rule.code !== undefined && rule.code !== d.code) return false;
  if (rule.file !== undefined && !underPath(d.range.file, rule.file)) return false;
  if (rule.resource !== undefined) {
    const own = parseResource(d.resource);
    const about =
      own !== undefined
        ? namesObject(rule.resource, own.kind, own.namespace, own.name)
        : (spans ?? []).some(
            (s) =>
              s.file === d.range.file &&
              s.from <= d.range.line &&
              d.range.line <= s.to &&
              namesObject(rule.resource as string, s.kind, s.namespace, s.name),
          );
    if (!about) return false;
  }
  return true;
}
