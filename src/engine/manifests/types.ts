// What the manifests stage hands every later stage: input files and the objects found in them.
import type { FieldPath, SourceRange } from '../source';
import type { Diagnostic } from '../diagnostics';

/** One input file as the host hands it over: a path (for messages) and its text. */
export interface InputFile {
  path: string;
  text: string;
  /** Size in bytes when the host knows it: a host may leave `text` empty for a file above the size limit rather than read it. */
  bytes?: number;
}

/** One Kubernetes object found in a file, with the means to point at any of its fields. */
export interface ManifestObject {
  file: string;
  apiVersion: string;
  kind: string;
  name: string;
  /** Undefined for cluster-scoped kinds and for objects that give none (the caller defaults it). */
  namespace: string | undefined;
  raw: Record<string, unknown>;
  /** Range of the field at `path` (relative to this object); falls back to the nearest ancestor. */
  locate: (path: FieldPath) => SourceRange;
  /** Whether the field exists in the source (for "default" vs "explicit" decisions). */
  has: (path: FieldPath) => boolean;
}

export interface ParsedFile {
  path: string;
  objects: ManifestObject[];
  diagnostics: Diagnostic[];
}
