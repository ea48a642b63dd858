// A troubleshooting walk as data: the steps a person takes on a live cluster (the Kubernetes docs'
// "Debug Services", and the seed's walks for a Service, external access and an Ingress), each with
// the kubectl command they would run, what a healthy cluster shows and what the simulation shows.
import type { SourceRange } from '../source';

export interface TroubleshootStep {
  /** The question the step answers ("Does the Service have endpoints?"). */
  check: string;
  /** The command a person runs on a live cluster for the same fact. */
  kubectl: string;
  /** What a healthy cluster shows. */
  expected: string;
  /** What the simulation of the manifests shows. */
  simulated: string;
  ok: boolean;
  /** On the step that fails: what to change. */
  fix?: string;
  /** The manifest field the step is about (the one to change, on a failing step). */
  range?: SourceRange;
}

export type WalkKind = 'service' | 'ingress' | 'external';

export interface TroubleshootResult {
  walk: WalkKind;
  /** `NS/NAME` of the Service or Ingress, or the URL. */
  subject: string;
  /** The walk's title, as the seed names it. */
  title: string;
  /** Every step up to and including the first that fails. */
  steps: TroubleshootStep[];
  ok: boolean;
}
