// The troubleshooting walks, by what they start from: a Service, an Ingress, or an address outside.
import type { Analysis } from '../analyze';
import { externalWalk } from './external';
import { ingressWalk } from './ingress';
import { serviceWalk } from './service';
import type { TroubleshootResult } from './types';

export type TroubleshootSubject = { service: string; from?: string } | { ingress: string } | { external: string };

/** Runs the walk for the subject; an error is a bad argument (a `--from` that names no pod, a malformed URL). */
export function troubleshoot(a: Analysis, subject: TroubleshootSubject): TroubleshootResult | { error: string } {
  if ('service' in subject) return serviceWalk(a, subject.service, subject.from);
  if ('ingress' in subject) return ingressWalk(a, subject.ingress);
  return externalWalk(a, subject.external);
}

export type { TroubleshootResult, TroubleshootStep, WalkKind } from './types';
