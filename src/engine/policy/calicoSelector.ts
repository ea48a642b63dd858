// Calico's selector language (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors),
// parsed by a grammar, not by patterns:
//
//   expr    := or
//   or      := and ( '||' and )*
//   and     := unary ( '&&' unary )*
//   unary   := '!' unary | primary
//   primary := '(' expr ')' | 'all()' | 'global()' | 'has(' key ')'
//            | key ( '==' | '!=' ) string
//            | key ( 'in' | 'not' 'in' ) '{' [ string ( ',' string )* ] '}'
//            | key ( 'contains' | 'starts' 'with' | 'ends' 'with' ) string
//   string  := '...' | "..."
//
// `!` binds tightest, then `&&`, then `||`. `k != 'v'` and `k not in {...}` also match when the
// label is absent, as Calico defines them. An empty selector is `all()`. Errors carry the offset
// of the character at fault, so a diagnostic can point at it.

export type CalicoSelector =
  | { op: 'all' }
  | { op: 'global' }
  | { op: 'has'; key: string }
  | { op: '==' | '!=' | 'contains' | 'starts with' | 'ends with'; key: string; value: string }
  | { op: 'in' | 'not in'; key: string; values: string[] }
  | { op: '!'; expr: CalicoSelector }
  | { op: '&&' | '||'; left: CalicoSelector; right: CalicoSelector };

export type SelectorParse = { ok: true; selector: CalicoSelector } | { ok: false; message: string; offset: number };

type Token =
  | { t: 'op'; v: string; at: number }
  | { t: 'word'; v: string; at: number }
  | { t: 'string'; v: string; at: number }
  | { t: 'end'; at: number };

class SyntaxErr extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const KEY_CHAR = /[A-Za-z0-9_./-]/;

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '&&' || two === '||' || two === '==' || two === '!=') {
      out.push({ t: 'op', v: two, at: i });
      i += 2;
      continue;
    }
    if ('!(){},'.includes(c)) {
      out.push({ t: 'op', v: c, at: i });
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new SyntaxErr(`unterminated string: no closing ${c}`, i);
      out.push({ t: 'string', v: text.slice(i + 1, end), at: i });
      i = end + 1;
      continue;
    }
    if (KEY_CHAR.test(c)) {
      const start = i;
      while (i < text.length && KEY_CHAR.test(text[i] as string)) i++;
      out.push({ t: 'word', v: text.slice(start, i), at: start });
      continue;
    }
    throw new SyntaxErr(`unexpected character ${JSON.stringify(c)}`, i);
  }
  out.push({ t: 'end', at: text.length });
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.i] as Token;
  }
  private next(): Token {
    return this.tokens[this.i++] as Token;
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t.t === 'op' && t.v === v;
  }
  private expectOp(v: string, what: string): void {
    const t = this.next();
    if (t.t !== 'op' || t.v !== v) throw new SyntaxErr(`expected ${JSON.stringify(v)} ${what}, found ${describe(t)}`, t.at);
  }
  private string(what: string): string {
    const t = this.next();
    if (t.t !== 'string') throw new SyntaxErr(`expected a quoted string ${what}, found ${describe(t)}`, t.at);
    return t.v;
  }

  parse(): CalicoSelector {
    if (this.peek().t === 'end') return { op: 'all' };
    const e = this.or();
    const t = this.peek();
    if (t.t !== 'end') throw new SyntaxErr(`unexpected ${describe(t)} after a complete expression (missing && or ||?)`, t.at);
    return e;
  }

  private or(): CalicoSelector {
    let left = this.and();
    while (this.isOp('||')) {
      this.next();
      left = { op: '||', left, right: this.and() };
    }
    return left;
  }

  private and(): CalicoSelector {
    let left = this.unary();
    while (this.isOp('&&')) {
      this.next();
      left = { op: '&&', left, right: this.unary() };
    }
    return left;
  }

  private unary(): CalicoSelector {
    if (this.isOp('!')) {
      this.next();
      return { op: '!', expr: this.unary() };
    }
    return this.primary();
  }

  private primary(): CalicoSelector {
    const t = this.next();
    if (t.t === 'op' && t.v === '(') {
      const e = this.or();
      this.expectOp(')', 'to close the parenthesis');
      return e;
    }
    if (t.t !== 'word') throw new SyntaxErr(`expected a label key, all(), has(...) or "(", found ${describe(t)}`, t.at);
    if ((t.v === 'all' || t.v === 'global') && this.isOp('(')) {
      this.next();
      this.expectOp(')', `after ${t.v}(`);
      return { op: t.v };
    }
    if (t.v === 'has' && this.isOp('(')) {
      this.next();
      const k = this.next();
      if (k.t !== 'word') throw new SyntaxErr(`expected a label key in has(...), found ${describe(k)}`, k.at);
      this.expectOp(')', 'to close has(');
      return { op: 'has', key: k.v };
    }
    const key = t.v;
    const o = this.next();
    if (o.t === 'op' && (o.v === '==' || o.v === '!=')) return { op: o.v, key, value: this.string(`after ${o.v}`) };
    if (o.t === 'word' && o.v === 'in') return { op: 'in', key, values: this.set() };
    if (o.t === 'word' && o.v === 'not') {
      const n = this.next();
      if (n.t !== 'word' || n.v !== 'in') throw new SyntaxErr(`expected "in" after "not", found ${describe(n)}`, n.at);
      return { op: 'not in', key, values: this.set() };
    }
    if (o.t === 'word' && o.v === 'contains') return { op: 'contains', key, value: this.string('after contains') };
    if (o.t === 'word' && (o.v === 'starts' || o.v === 'ends')) {
      const w = this.next();
      if (w.t !== 'word' || w.v !== 'with') throw new SyntaxErr(`expected "with" after "${o.v}", found ${describe(w)}`, w.at);
      return { op: o.v === 'starts' ? 'starts with' : 'ends with', key, value: this.string(`after ${o.v} with`) };
    }
    throw new SyntaxErr(`expected ==, !=, in, not in, contains, starts with or ends with after the key ${key}, found ${describe(o)}`, o.at);
  }

  private set(): string[] {
    this.expectOp('{', 'to open the set of values');
    const values: string[] = [];
    if (this.isOp('}')) {
      this.next();
      return values;
    }
    for (;;) {
      values.push(this.string('in the set'));
      if (this.isOp(',')) {
        this.next();
        continue;
      }
      this.expectOp('}', 'to close the set of values');
      return values;
    }
  }
}

function describe(t: Token): string {
  if (t.t === 'end') return 'the end of the selector';
  if (t.t === 'string') return `the string '${t.v}'`;
  return JSON.stringify(t.v);
}

const cache = new Map<string, SelectorParse>();

/** Parses a Calico selector (remembered by text: policies repeat a few selectors many times). */
export function parseCalicoSelector(text: string): SelectorParse {
  const hit = cache.get(text);
  if (hit) return hit;
  let result: SelectorParse;
  try {
    result = { ok: true, selector: new Parser(tokenize(text)).parse() };
  } catch (e) {
    if (!(e instanceof SyntaxErr)) throw e;
    result = { ok: false, message: e.message, offset: e.offset };
  }
  if (cache.size > 10_000) cache.clear();
  cache.set(text, result);
  return result;
}

/** Whether a selector matches a set of labels. `global()` matches only non-namespaced endpoints (none here: pods are namespaced). */
export function calicoMatches(s: CalicoSelector, labels: Readonly<Record<string, string>>): boolean {
  switch (s.op) {
    case 'all':
      return true;
    case 'global':
      return false;
    case 'has':
      return Object.prototype.hasOwnProperty.call(labels, s.key);
    case '==':
      return own(labels, s.key) === s.value;
    case '!=':
      return own(labels, s.key) !== s.value;
    case 'contains':
      return own(labels, s.key)?.includes(s.value) ?? false;
    case 'starts with':
      return own(labels, s.key)?.startsWith(s.value) ?? false;
    case 'ends with':
      return own(labels, s.key)?.endsWith(s.value) ?? false;
    case 'in': {
      const v = own(labels, s.key);
      return v !== undefined && s.values.includes(v);
    }
    case 'not in': {
      const v = own(labels, s.key);
      return v === undefined || !s.values.includes(v);
    }
    case '!':
      return !calicoMatches(s.expr, labels);
    case '&&':
      return calicoMatches(s.left, labels) && calicoMatches(s.right, labels);
    case '||':
      return calicoMatches(s.left, labels) || calicoMatches(s.right, labels);
  }
}

function own(labels: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(labels, key) ? labels[key] : undefined;
}

const quote = (v: string) => (v.includes("'") ? `"${v}"` : `'${v}'`);

/** The selector written back in Calico's syntax, parenthesised wherever precedence needs it (parsing it gives the same selector). */
export function printCalicoSelector(s: CalicoSelector): string {
  switch (s.op) {
    case 'all':
    case 'global':
      return `${s.op}()`;
    case 'has':
      return `has(${s.key})`;
    case '==':
    case '!=':
    case 'contains':
    case 'starts with':
    case 'ends with':
      return `${s.key} ${s.op} ${quote(s.value)}`;
    case 'in':
    case 'not in':
      return `${s.key} ${s.op} {${s.values.map(quote).join(', ')}}`;
    case '!':
      return `!${atom(s.expr)}`;
    case '&&':
      return `${s.left.op === '||' ? `(${printCalicoSelector(s.left)})` : printCalicoSelector(s.left)} && ${s.right.op === '||' || s.right.op === '&&' ? `(${printCalicoSelector(s.right)})` : printCalicoSelector(s.right)}`;
    case '||':
      return `${printCalicoSelector(s.left)} || ${s.right.op === '||' ? `(${printCalicoSelector(s.right)})` : printCalicoSelector(s.right)}`;
  }
}

/** `!` applies to the next primary: anything but a key test, a function or another `!` needs parentheses. */
function atom(s: CalicoSelector): string {
  return s.op === '&&' ||
    s.op === '||' ||
    s.op === '==' ||
    s.op === '!=' ||
    s.op === 'in' ||
    s.op === 'not in' ||
    s.op === 'contains' ||
    s.op === 'starts with' ||
    s.op === 'ends with'
    ? `(${printCalicoSelector(s)})`
    : printCalicoSelector(s);
}
