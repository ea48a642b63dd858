/** Where something came from: a file and a 1-based range, as editors and SARIF want it. */
export interface SourceRange {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** A path into a manifest object, e.g. ['spec', 'ports', 0, 'targetPort']. */
export type FieldPath = ReadonlyArray<string | number>;

/** Maps string offsets to 1-based lines and columns (UTF-16 columns, as VS Code counts). */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
    }
  }

  /** 1-based line and column of a 0-based offset. */
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.starts[lo] ?? 0) + 1 };
  }

  range(file: string, start: number, end: number): SourceRange {
    const a = this.position(start);
    const b = this.position(Math.max(start, end));
    return { file, line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
  }
}

/** Offsets of one node of a YAML document: its key (when it is a mapping value) and its value. */
export interface NodeSpan {
  keyStart: number;
  keyEnd: number;
  start: number;
  end: number;
  collection: boolean;
}

export function pathKey(path: FieldPath): string {
  return path.join('\u0001');
}

/**
 * The range of a substring of a single-line scalar, given the scalar's range. Quoted scalars are
 * two characters wider than their value; anything else (escapes, folding) gives no range.
 */
export function substringRange(range: SourceRange, value: string, index: number, length: number): SourceRange | undefined {
  if (range.line !== range.endLine) return undefined;
  const width = range.endColumn - range.column;
  const shift = width === value.length ? 0 : width === value.length + 2 ? 1 : -1;
  if (shift < 0) return undefined;
  const column = range.column + shift + index;
  return { file: range.file, line: range.line, column, endLine: range.line, endColumn: column + length };
}
