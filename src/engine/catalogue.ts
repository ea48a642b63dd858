// Every diagnostic code the engine reports: its severity, one-line summary, documentation link,
// message template and the kubectl commands that check it on a live cluster. The README's
// catalogue, SARIF's rule metadata and the Problems panel all read from here; the entries live in
// codes/, one file per concern, in the order the README lists them.
import type { CodeInfo } from './codes/format';
import { INPUT_CODES } from './codes/input';
import { SERVICE_CODES } from './codes/services';
import { POLICY_CODES } from './codes/policy';
import { PRACTICE_CODES } from './codes/practices';

export { parseResource, type CodeInfo, type Params, type ResourceRef, type Severity } from './codes/format';

/**
 * Every user-facing message lives here, so the Problems panel, the CLI, SARIF and the README
 * catalogue read the same.
 */
export const CATALOGUE = { ...INPUT_CODES, ...SERVICE_CODES, ...POLICY_CODES, ...PRACTICE_CODES } satisfies Record<string, CodeInfo>;

export type DiagnosticCode = keyof typeof CATALOGUE;

/** The Kubernetes documentation page that explains a code. */
export function docsLink(code: DiagnosticCode): string {
  return CATALOGUE[code].docs;
}
