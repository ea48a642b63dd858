// What an analysis remembers for the next one (issue 20: an edit recomputes only what depends on
// the edited objects). A stage's result is kept under a key that spells out everything the stage
// read; the next analysis computes the key again and reuses the result when it is the same. A
// ParseCache keeps unchanged documents' objects (and the parts read from them once per object:
// labels, containers, policies) across analyses, so identities of those objects are valid inputs
// of a key, and the values the simulation computes (addresses, nodes, endpoints) are spelled out.
import type { Diagnostic } from '../diagnostics';

/**
 * Results of one stage by key, over two analyses: what the previous one stored, and what the
 * current one used or made. An entry the current analysis does not use is dropped when the next
 * begins, so memory follows the workspace, not its history.
 */
export class StageMemo<V> {
  private previous = new Map<string, V>();
  private current = new Map<string, V>();

  /** The value kept under `key`, or `make()`'s (kept for the next analysis). */
  hits = 0;
  misses = 0;

  get(key: string, make: () => V): V {
    if (this.current.has(key)) return this.current.get(key) as V;
    const reuse = this.previous.has(key);
    if (reuse) this.hits++;
    else this.misses++;
    const v = reuse ? (this.previous.get(key) as V) : make();
    this.current.set(key, v);
    return v;
  }

  /** Starts the next analysis. */
  advance(): void {
    this.previous = this.current;
    this.current = new Map();
    this.hits = this.misses = 0;
  }
}

/**
 * Small numbers for objects, stable while the object lives: keys name parsed objects and the
 * parts read from them by these numbers, not by their contents.
 */
export class Identities {
  private readonly ids = new WeakMap<object, number>();
  private next = 1;

  of(o: object | undefined): number {
    if (o === undefined) return 0;
    let id = this.ids.get(o);
    if (id === undefined) this.ids.set(o, (id = this.next++));
    return id;
  }
}

/**
 * Small numbers for keys spelled out as text, stable across analyses: a key made of interned parts
 * is short, so looking it up does not hash the same long text again for every reader.
 */
export class Interned {
  private previous = new Map<string, number>();
  private current = new Map<string, number>();
  private next = 1;

  of(text: string): number {
    let n = this.current.get(text);
    if (n === undefined) {
      n = this.previous.get(text) ?? this.next++;
      this.current.set(text, n);
    }
    return n;
  }

  advance(): void {
    this.previous = this.current;
    this.current = new Map();
  }
}

/**
 * A copy of a remembered diagnostic for this analysis's list: later stages replace its fields
 * (lintDns adds verify and related to policy-blocks-dns, checks lower a severity) and add fixes,
 * so the kept one must stay as made. Nothing changes a diagnostic deeper than its own fields and
 * its list of fixes.
 */
export function copyDiagnostic(d: Diagnostic): Diagnostic {
  const c = { ...d };
  if (d.fixes) c.fixes = [...d.fixes];
  if (d.related) c.related = [...d.related];
  if (d.verify) c.verify = [...d.verify];
  return c;
}
