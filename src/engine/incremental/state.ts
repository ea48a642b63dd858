// The memory an analysis leaves for the next one (see memo.ts): held by the ParseCache the caller
// keeps across edits (the extension's analysis worker, the bench's re-analysis), so every caller
// that re-analyses with a cache gets the incremental path, and a cold analysis has none.
import type { Diagnostic } from '../diagnostics';
import type { DnsResult } from '../dns/records';
import { Identities, Interned, StageMemo } from './memo';
import { StableObjects } from './stable';

export class IncrementalState {
  readonly ids = new Identities();
  readonly texts = new Interned();
  readonly stable = new StableObjects();
  /** connection-blocked-by-policy per host reference (policy/checks.ts). */
  readonly blockedReferences = new StageMemo<Diagnostic | null>();
  /** DNS answers to the names host references name (dns/references.ts). */
  readonly lookups = new StageMemo<DnsResult>();
  /** missing-readiness-probe per workload (lint/practices.ts). */
  readonly readinessProbes = new StageMemo<Diagnostic[]>();

  /** Called as an analysis starts: what the previous one left unused is dropped. */
  begin(): void {
    this.blockedReferences.advance();
    this.lookups.advance();
    this.readinessProbes.advance();
    this.texts.advance();
  }
}
