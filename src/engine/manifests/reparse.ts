// Parsing a file again after an edit: the documents the edit left as they were keep the objects
// and diagnostics the previous parse made of them, so later stages see the same objects
// (incremental/memo.ts keys on their identity) and only the edited documents are parsed. A
// document is the same when its text is, starting on the same line: every position in it is then
// the same, and nothing a document's parse gives depends on the documents around it (a batch
// parse is used only where it gives what parsing one by one gives).
import { LineIndex } from '../source';
import type { Diagnostic } from '../diagnostics';
import type { InputFile, ManifestObject, ParsedFile } from './types';
import { batches, documentChunks, parseRun, skipReason, yamlText, type Chunk } from './parse';
import type { ParseLimits } from './limits';

/** One document chunk's parse, kept for the next parse of its file. */
export interface ChunkParse {
  line: number;
  text: string;
  objects: ManifestObject[];
  diagnostics: Diagnostic[];
}

/**
 * parseManifestFile, reusing `previous` (this file's chunks as the last parse with the same limits
 * left them) for unchanged chunks; also returns the chunks for the next parse.
 */
export function reparseManifestFile(
  file: InputFile,
  limits: ParseLimits,
  previous: readonly ChunkParse[] | undefined,
): { parsed: ParsedFile; chunks: ChunkParse[] } {
  const skip = skipReason(file, limits);
  if (skip) return { parsed: { path: file.path, objects: [], diagnostics: [skip] }, chunks: [] };
  const text = yamlText(file);
  const lines = new LineIndex(text);
  const kept = new Map<number, ChunkParse>();
  for (const c of previous ?? []) kept.set(c.line, c);
  const objects: ManifestObject[] = [];
  const diagnostics: Diagnostic[] = [];
  const chunks: ChunkParse[] = [];
  let run: Array<Chunk & { line: number }> = [];
  const parseEdited = () => {
    for (const batch of batches(run)) {
      const marks: Array<[number, number]> = [];
      let o = objects.length;
      let d = diagnostics.length;
      parseRun(file.path, text, batch, lines, limits, objects, diagnostics, marks);
      batch.forEach((chunk, i) => {
        const [endO, endD] = marks[i] ?? [objects.length, diagnostics.length];
        chunks.push({
          line: chunk.line,
          text: text.slice(chunk.start, chunk.end),
          objects: objects.slice(o, endO),
          diagnostics: diagnostics.slice(d, endD),
        });
        o = endO;
        d = endD;
      });
    }
    run = [];
  };
  for (const chunk of documentChunks(text)) {
    const line = lines.position(chunk.start).line;
    const old = kept.get(line);
    if (old && old.text.length === chunk.end - chunk.start && text.startsWith(old.text, chunk.start)) {
      parseEdited();
      for (const o of old.objects) objects.push(o);
      for (const d of old.diagnostics) diagnostics.push(d);
      chunks.push(old);
    } else run.push({ ...chunk, line });
  }
  parseEdited();
  return { parsed: { path: file.path, objects, diagnostics }, chunks };
}
