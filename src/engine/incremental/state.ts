// The memory an analysis leaves for the next one (see memo.ts): held by the ParseCache the caller
// keeps across edits (the extension's analysis worker, the bench's re-analysis), so every caller
// that re-analyses with a cache gets the incremental path, and a cold analysis has none. Below every
// stage: each stage keeps its own tables here by name, with the keys it spells out itself.
import { Identities, Interned, StageMemo } from './memo';

export class IncrementalState {
  readonly ids = new Identities();
  readonly texts = new Interned();
  private readonly memos = new Map<string, StageMemo<unknown>>();
  private readonly slots = new Map<string, unknown>();

  /** The table a stage keeps its results in, by the stage's name for it. */
  memo<V>(name: string): StageMemo<V> {
    let m = this.memos.get(name);
    if (!m) this.memos.set(name, (m = new StageMemo<unknown>()));
    return m as StageMemo<V>;
  }

  /** State a stage keeps across analyses other than a table (the previous cluster's objects). */
  slot<T>(name: string, make: () => T): T {
    if (!this.slots.has(name)) this.slots.set(name, make());
    return this.slots.get(name) as T;
  }

  /** Called as an analysis starts: what the previous one left unused is dropped. */
  begin(): void {
    for (const m of this.memos.values()) m.advance();
    this.texts.advance();
  }
}
