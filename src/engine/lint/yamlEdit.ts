// Text edits on block-style YAML for quick fixes. The parser gives the position of every field;
// these helpers read the lines around it (indentation, the "-" of a sequence item, where a block
// ends) so that an inserted or rewritten block lands at the right indentation. Anything that is
// not plain block style (flow collections, keys on one line with their parent) gets no edit:
// a fix that might produce invalid YAML is worse than none.
import type { TextEdit } from '../diagnostics';
import type { SourceRange } from '../source';

/** One file's text split into lines, with the helpers fixes need. Lines exclude their line break. */
export class SourceText {
  private readonly lines: string[];
  /** The file's line break, reused by inserted lines. */
  readonly eol: string;

  constructor(
    readonly file: string,
    text: string,
  ) {
    // Positions are counted without a BOM (the parser drops it), so are these lines.
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    this.eol = body.includes('\r\n') ? '\r\n' : '\n';
    this.lines = body.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  }

  /** The text of a 1-based line ('' past the end). */
  line(n: number): string {
    return this.lines[n - 1] ?? '';
  }

  get lineCount(): number {
    return this.lines.length;
  }

  /** Leading spaces of a line. */
  indentOf(n: number): number {
    return /^ */.exec(this.line(n))?.[0].length ?? 0;
  }

  /** Whether only spaces precede 1-based `column` on `line` (the field starts its line). */
  startsLine(line: number, column: number): boolean {
    return /^ *$/.test(this.line(line).slice(0, column - 1));
  }

  /**
   * The 1-based column of the "-" that introduces a block sequence item whose content starts at
   * (line, column), when the item is written `- key: ...` on that line; undefined otherwise.
   */
  dashColumn(line: number, column: number): number | undefined {
    const text = this.line(line);
    let i = column - 2;
    while (i >= 0 && text[i] === ' ') i--;
    if (i < 0 || text[i] !== '-' || i === column - 2) return undefined;
    return /^ *$/.test(text.slice(0, i)) ? i + 1 : undefined;
  }

  /**
   * The last line of the block that starts at `line` and continues over the lines indented by
   * more than `indent` spaces (blank and comment lines inside it included, trailing ones not).
   */
  blockEnd(line: number, indent: number): number {
    let last = line;
    for (let n = line + 1; n <= this.lines.length; n++) {
      const text = this.line(n);
      if (text.trim() === '' || /^\s*#/.test(text)) continue;
      if ((/^ */.exec(text)?.[0].length ?? 0) <= indent || /^(---|\.\.\.)(\s|$)/.test(text)) break;
      last = n;
    }
    return last;
  }

  /** An edit inserting whole lines before 1-based `line` (after the last line when past the end). */
  insertLines(line: number, lines: string[]): TextEdit {
    if (line > this.lines.length) {
      const last = this.lines.length;
      const end = this.line(last).length + 1;
      return { range: this.range(last, end, last, end), newText: lines.map((l) => this.eol + l).join('') };
    }
    return { range: this.range(line, 1, line, 1), newText: lines.map((l) => l + this.eol).join('') };
  }

  /** An edit replacing lines `from`..`to` (1-based, inclusive) with `lines`. */
  replaceLines(from: number, to: number, lines: string[]): TextEdit {
    return { range: this.range(from, 1, to, this.line(to).length + 1), newText: lines.join(this.eol) };
  }

  /** An edit replacing the text between two 1-based positions on one line. */
  replace(line: number, column: number, endColumn: number, newText: string): TextEdit {
    return { range: this.range(line, column, line, endColumn), newText };
  }

  /**
   * The range of the plain key of a mapping entry whose scalar value is at `value` (`key: value` on
   * one line, the key unquoted or quoted); undefined when the key is elsewhere.
   */
  keyBefore(value: SourceRange, key: string): SourceRange | undefined {
    const text = this.line(value.line);
    const before = text.slice(0, value.column - 1);
    for (const written of [key, `"${key}"`, `'${key}'`]) {
      const at = before.lastIndexOf(written + ':');
      if (at >= 0 && /^[ -]*$/.test(before.slice(0, at)) && /^:\s*$/.test(before.slice(at + written.length))) {
        return this.range(value.line, at + 1, value.line, at + 1 + written.length);
      }
    }
    return undefined;
  }

  range(line: number, column: number, endLine: number, endColumn: number): SourceRange {
    return { file: this.file, line, column, endLine, endColumn };
  }
}

/**
 * Applies edits (1-based ranges, as the engine reports them) to a text. Edits must not overlap;
 * they are applied from the last to the first so earlier offsets stay valid.
 */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const bom = text.charCodeAt(0) === 0xfeff ? '\ufeff' : '';
  let body = bom ? text.slice(1) : text;
  const starts = [0];
  for (let i = 0; i < body.length; i++) if (body.charCodeAt(i) === 10) starts.push(i + 1);
  const offset = (line: number, column: number) => Math.min(body.length, (starts[line - 1] ?? body.length) + column - 1);
  const sorted = [...edits].sort((a, b) => offset(b.range.line, b.range.column) - offset(a.range.line, a.range.column));
  for (const e of sorted) {
    const from = offset(e.range.line, e.range.column);
    const to = offset(e.range.endLine, e.range.endColumn);
    body = body.slice(0, from) + e.newText + body.slice(Math.max(from, to));
  }
  return bom + body;
}

/** A YAML plain scalar, or the value quoted when plain would change its meaning. */
export function yamlScalar(value: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(value) && !/^(true|false|yes|no|on|off|null|~|y|n)$/i.test(value) && !/^[0-9.]+$/.test(value)
    ? value
    : JSON.stringify(value);
}

/** Prefixes each line with `n` spaces. */
export function indent(n: number, lines: string[]): string[] {
  return lines.map((l) => ' '.repeat(n) + l);
}
