import { parsePositionedDocument } from '../manifests/parse';
import { makeDiagnostic, type Diagnostic } from '../diagnostics';
import { isRecord } from '../manifests/fields';
import { renderKustomization } from './render';
import { dirnameOf, indexFiles, joinPath, kustomizationIn, kustomizeDirs, KUSTOMIZATION_NAMES, normalize } from './paths';
import { type InputFile, type ManifestObject, type ParsedFile } from '../manifests/types';

/** What a host chose or produced for the workspace's Kustomize overlays and Helm charts. */
export interface RenderOptions {
  /** Folder of the Kustomize overlay to simulate (in the files' path naming; '' or '.' for the root). Only its rendered output is simulated. */
  kustomizeOverlay?: string;
  /** Helm charts a host rendered (`helm template`), by chart folder: the output as a file, or why it failed. */
  helm?: Record<string, { rendered?: InputFile; error?: string }>;
}

const head = (file: string) => ({ file, line: 1, column: 1, endLine: 1, endColumn: 1 });

function inside(path: string, dir: string): boolean {
  return dir === '' || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

/**
 * Turns the workspace's files into the objects to simulate: plain manifests as they are; Helm
 * charts left out with one diagnostic each (or their `helm template` output, when the host rendered
 * them); kustomization files and the patches they name never simulated raw; and, when an overlay is
 * selected, only that overlay's rendered output.
 */
export function collectInputObjects(
  files: InputFile[],
  parse: (f: InputFile) => ParsedFile,
  options: RenderOptions = {},
): { objects: ManifestObject[]; diagnostics: Diagnostic[] } {
  const objects: ManifestObject[] = [];
  const diagnostics: Diagnostic[] = [];
  const index = indexFiles(files);

  // Helm charts: every file under a folder with Chart.yaml is a template, values or chart metadata.
  const charts = files.filter((f) => /(^|\/)Chart\.ya?ml$/.test(f.path)).map((f) => ({ file: f, dir: dirnameOf(normalize(f.path)) }));
  const inChart = (path: string) => charts.some((c) => inside(normalize(path), c.dir));
  for (const chart of charts) {
    const rendered = options.helm?.[chart.dir];
    if (rendered?.rendered) {
      const parsed = parse(rendered.rendered);
      objects.push(...parsed.objects);
      diagnostics.push(...parsed.diagnostics);
      continue;
    }
    const doc = parsePositionedDocument(chart.file.path, chart.file.text);
    const name = isRecord(doc.value) && typeof doc.value['name'] === 'string' ? doc.value['name'] : chart.dir || '.';
    const params: Record<string, string> = { chart: name, dir: chart.dir || '.' };
    if (rendered?.error) params['reason'] = rendered.error;
    diagnostics.push(
      makeDiagnostic(
        'helm-chart-not-rendered',
        isRecord(doc.value) && 'name' in doc.value ? doc.locate(['name']) : head(chart.file.path),
        params,
      ),
    );
  }

  if (options.kustomizeOverlay !== undefined) {
    const overlay = normalize(options.kustomizeOverlay);
    if (!kustomizationIn(overlay, index)) {
      const shown = overlay || '.';
      diagnostics.push(
        makeDiagnostic('kustomize-error', head(joinPath(overlay, KUSTOMIZATION_NAMES[0] ?? 'kustomization.yaml')), {
          reason: `The selected Kustomize overlay ${shown} has no kustomization.yaml in the input; nothing is simulated. Select a folder that has one.`,
        }),
      );
      return { objects, diagnostics };
    }
    const r = renderKustomization(overlay, index, parse);
    objects.push(...r.objects);
    diagnostics.push(...r.diagnostics);
    return { objects, diagnostics };
  }

  const kustomize = kustomizeDirs(index);
  const kustomizationFiles = new Set(kustomize.all.map((d) => kustomizationIn(d, index)?.path));
  for (const dir of kustomize.topLevel) {
    const kfile = kustomizationIn(dir, index);
    if (kfile && kustomize.transforms && !inChart(kfile.path))
      diagnostics.push(makeDiagnostic('kustomize-not-selected', head(kfile.path), { dir: dir || '.' }));
  }
  for (const f of files) {
    const p = normalize(f.path);
    if (inChart(p) || kustomizationFiles.has(f.path) || kustomize.patchFiles.has(p)) continue;
    const parsed = parse(f);
    objects.push(...parsed.objects);
    diagnostics.push(...parsed.diagnostics);
  }
  return { objects, diagnostics };
}
