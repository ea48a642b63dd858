// Fixture workspaces for the worker-side editor queries (definition, references, rename,
// completion, the network view): a folder's texts, its analysis, and positions found by text.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeWorkspace, type Analysis, type InputFile, type SourceRange } from '../src/engine';
import type { Position } from '../src/extension/analysis/symbols';

export interface Fixture {
  a: Analysis;
  files: InputFile[];
  texts: (file: string) => string | undefined;
  /** The 0-based position `offset` characters into the `nth` (0-based) occurrence of `needle` in `file`. */
  at: (file: string, needle: string, offset?: number, nth?: number) => Position;
}

export function fixture(files: Record<string, string> | InputFile[]): Fixture {
  const list = Array.isArray(files) ? files : Object.entries(files).map(([p, text]) => ({ path: p, text }));
  const a = analyzeWorkspace(list);
  const texts = (file: string) => list.find((f) => f.path === file)?.text;
  const at = (file: string, needle: string, offset = 0, nth = 0): Position => {
    const text = texts(file);
    if (text === undefined) throw new Error(`no file ${file}`);
    let i = -1;
    for (let n = 0; n <= nth; n++) {
      i = text.indexOf(needle, i + 1);
      if (i < 0) throw new Error(`${needle} (#${nth}) not in ${file}`);
    }
    const before = text.slice(0, i + offset).split('\n');
    return { line: before.length - 1, character: (before[before.length - 1] ?? '').length };
  };
  return { a, files: list, texts, at };
}

export const SHOP_DIR = path.join(__dirname, '..', 'examples', 'shop');

/** The sample workspace as the extension reads it. */
export function shopFiles(): InputFile[] {
  return readdirSync(SHOP_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ path: f, text: readFileSync(path.join(SHOP_DIR, f), 'utf8') }));
}

/** `file:line:column` (1-based) of a range: expectations in one line. */
export function loc(r: SourceRange): string {
  return `${r.file}:${r.line}:${r.column}`;
}
