// Runs in the analysis worker (no vscode here): Go to Definition and Find All References as plain
// data, from the links of the workspace (links.ts) and what it declares (declarations.ts).
import { SourceText, substringRange, type Analysis, type SourceRange } from '../../engine';
import {
  containerPortDecls,
  indexOf,
  ingressClassDecl,
  namespaceDecl,
  serviceDecl,
  servicePortDecl,
  workloadDecl,
  type Decl,
  type Place,
} from './declarations';
import { linksOf, selectorEntries, type EntryPlace, type Link } from './links';
import { rangeContains, type Position } from './symbols';

/** A place to go to, with what it is (the peek view's title). */
export interface Target {
  range: SourceRange;
  label: string;
}

export interface DefinitionAnswer {
  /** What the cursor is on (Ctrl+click underlines exactly this). */
  origin: SourceRange;
  targets: Target[];
}

export interface ReferenceAnswer {
  /** What the references are of: `Service shop/backend`. */
  subject: string;
  references: Target[];
}

/** Reads the file texts the analysis was given, for key ranges beside their values. */
export type Texts = (file: string) => string | undefined;

export function placeRange(p: Place): SourceRange {
  return p.object.locate(p.path);
}

function span(r: SourceRange): number {
  return (r.endLine - r.line) * 100000 + (r.endColumn - r.column);
}

/** The ranges a link is written at: its field (or the part of it that links) and, for selectors, each label entry's key and value. */
function linkRanges(l: Link, texts: Texts): SourceRange[] {
  const at = placeRange(l.from);
  const out = [l.sub ? (substringRange(at, l.sub.value, l.sub.index, l.sub.length) ?? at) : at];
  for (const e of l.entries ?? []) out.push(...entryRanges(e, texts));
  return out;
}

const sources = new WeakMap<Texts, Map<string, SourceText | null>>();

/** A file's text with line helpers, built once per file and texts. */
export function sourceOf(texts: Texts, file: string): SourceText | undefined {
  let byFile = sources.get(texts);
  if (!byFile) sources.set(texts, (byFile = new Map<string, SourceText | null>()));
  let s = byFile.get(file);
  if (s === undefined) {
    const text = texts(file);
    s = text === undefined ? null : new SourceText(file, text);
    byFile.set(file, s);
  }
  return s ?? undefined;
}

/** The ranges of a label entry: its value and, on the same line, its key. */
export function entryRanges(e: EntryPlace, texts: Texts): SourceRange[] {
  const value = placeRange(e);
  const last = e.path[e.path.length - 1];
  if (typeof last !== 'string' || last !== e.key) return [value];
  const key = sourceOf(texts, value.file)?.keyBefore(value, e.key);
  return key ? [value, key] : [value];
}

const target = (d: Decl): Target => ({ range: placeRange(d.at), label: d.label });

/** Where the link at a position leads: the smallest link range that contains it wins. */
export function definitionAt(a: Analysis, texts: Texts, file: string, pos: Position): DefinitionAnswer | undefined {
  let best: { range: SourceRange; link: Link } | undefined;
  for (const l of linksOf(a)) {
    if (l.from.object.file !== file) continue;
    for (const range of linkRanges(l, texts))
      if (range.file === file && rangeContains(range, pos) && (!best || span(range) < span(best.range))) best = { range, link: l };
  }
  if (!best) return undefined;
  return { origin: best.range, targets: dedupe(best.link.targets.map(target)) };
}

/** What is declared at a position: a Service, a port, a workload (its name or its template labels), a Namespace, an IngressClass. */
export function declarationsAt(a: Analysis, texts: Texts, file: string, pos: Position): Decl[] {
  const hits: Array<{ range: SourceRange; decl: Decl }> = [];
  const consider = (decl: Decl | undefined, ranges: SourceRange[]) => {
    if (!decl) return;
    for (const range of ranges) if (range.file === file && rangeContains(range, pos)) hits.push({ range, decl });
  };
  const index = indexOf(a);
  for (const svc of a.cluster.services) {
    if (svc.origin.kind !== 'manifest' || svc.origin.object.file !== file) continue;
    const decl = serviceDecl(svc);
    consider(decl, decl ? [placeRange(decl.at)] : []);
    svc.ports.forEach((_, i) => {
      const p = servicePortDecl(svc, i);
      consider(p, p ? [placeRange(p.at)] : []);
    });
  }
  for (const w of index.workloads()) {
    if (w.object.file !== file) continue;
    const decl = workloadDecl(w);
    const labels = selectorEntries(w.object, w.labelsPath, 'map').flatMap((e) => entryRanges(e, texts));
    consider(decl, [placeRange(decl.at), placeRange({ object: w.object, path: w.labelsPath }), ...labels]);
    for (const d of containerPortDecls(w, {})) {
      const name = { object: d.at.object, path: [...d.at.path.slice(0, -1), 'name'] };
      consider(d, [placeRange(d.at), ...(d.at.object.has(name.path) ? [placeRange(name)] : [])]);
    }
  }
  for (const ns of a.cluster.namespaces.values()) {
    const decl = namespaceDecl(ns);
    if (decl && decl.at.object.file === file) consider(decl, [placeRange(decl.at)]);
  }
  for (const o of a.cluster.objects)
    if (o.kind === 'IngressClass' && o.file === file) {
      const decl = ingressClassDecl(o);
      consider(decl, [placeRange(decl.at)]);
    }
  const smallest = hits.sort((x, y) => span(x.range) - span(y.range))[0];
  return smallest ? hits.filter((h) => span(h.range) === span(smallest.range)).map((h) => h.decl) : [];
}

/**
 * Every place that leads to what is at a position: on a Service name, the hosts, env and ConfigMap
 * values and Ingress backends that reach it; on a workload (its name or template labels), the
 * selectors that pick it; on a Namespace, the namespaceSelectors that pick it; on a link, the
 * other links to the same target.
 */
export function referencesAt(
  a: Analysis,
  texts: Texts,
  file: string,
  pos: Position,
  includeDeclaration: boolean,
): ReferenceAnswer | undefined {
  let subjects = declarationsAt(a, texts, file, pos);
  if (subjects.length === 0) {
    const def = definitionAt(a, texts, file, pos);
    const link = def
      ? linksOf(a).find((l) => l.from.object.file === file && linkRanges(l, texts).some((r) => same(r, def.origin)))
      : undefined;
    subjects = link?.targets ?? [];
  }
  if (subjects.length === 0) return undefined;
  const keys = new Set(subjects.map((s) => s.key));
  const refs: Target[] = [];
  if (includeDeclaration) refs.push(...subjects.map(target));
  for (const l of linksOf(a)) {
    if (!l.targets.some((t) => keys.has(t.key))) continue;
    const at = placeRange(l.from);
    const range = l.sub ? (substringRange(at, l.sub.value, l.sub.index, l.sub.length) ?? at) : at;
    refs.push({ range, label: `${l.kind} → ${subjects.map((s) => s.label).join(', ')}` });
  }
  return { subject: subjects.map((s) => s.label).join(', '), references: dedupe(refs) };
}

function same(x: SourceRange, y: SourceRange): boolean {
  return x.file === y.file && x.line === y.line && x.column === y.column && x.endLine === y.endLine && x.endColumn === y.endColumn;
}

function dedupe(list: Target[]): Target[] {
  const seen = new Set<string>();
  return list.filter((t) => {
    const k = `${t.range.file}:${t.range.line}:${t.range.column}:${t.range.endLine}:${t.range.endColumn}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
