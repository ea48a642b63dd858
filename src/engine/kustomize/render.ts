import { parseManifestFile, parsePositionedDocument, type PositionedDocument } from '../manifests/parse';
import { makeDiagnostic, type Diagnostic } from '../diagnostics';
import { isRecord, scalarText } from '../manifests/fields';
import type { FieldPath, SourceRange } from '../source';
import { kindOf, nameOf, namespaceOfResource, resourceFrom, toManifestObject, type KResource } from './object';
import { applyStrategicMerge } from './patch';
import { addAnnotations, addLabels, fixReferences, rename, setImages, setNamespace, setReplicas } from './transform';
import { dirnameOf, joinPath, KUSTOMIZATION_NAMES, kustomizationIn, type FileIndex } from './paths';
import { type InputFile, type ManifestObject, type ParsedFile } from '../manifests/types';

export { kustomizationIn, kustomizeDirs, kustomizeMissing, type FileIndex } from './paths';

/** Fields rendered here; every other key of a kustomization gets a kustomize-unsupported diagnostic. */
const HANDLED = new Set([
  'apiVersion',
  'kind',
  'metadata',
  'resources',
  'bases',
  'namespace',
  'namePrefix',
  'nameSuffix',
  'commonLabels',
  'labels',
  'commonAnnotations',
  'patches',
  'patchesStrategicMerge',
  'images',
  'replicas',
  'buildMetadata',
  'sortOptions',
  'generatorOptions',
]);
const WHY: Record<string, string> = {
  configMapGenerator: 'generated ConfigMaps get a content hash in their name',
  secretGenerator: 'generated Secrets get a content hash in their name',
  patchesJson6902: 'JSON 6902 patches are not applied',
  components: 'components are not loaded',
  helmCharts: 'Helm charts are not inflated',
  replacements: 'replacements are not applied',
  vars: 'vars are not substituted',
};

export interface KustomizeResult {
  objects: ManifestObject[];
  diagnostics: Diagnostic[];
}

/**
 * Renders the kustomization in `dir` (a path in the files' own naming) from the files it is handed,
 * as `kustomize build` would for the common fields; what it cannot render gets a diagnostic at the
 * field and is left out, never guessed. `parse` reads one file (the caller's cache).
 */
export function renderKustomization(dir: string, files: FileIndex, parse: (f: InputFile) => ParsedFile): KustomizeResult {
  const diagnostics: Diagnostic[] = [];
  const reportedFiles = new Set<string>();
  const parsedOnce = (f: InputFile): ParsedFile => {
    const p = parse(f);
    if (!reportedFiles.has(f.path)) {
      reportedFiles.add(f.path);
      diagnostics.push(...p.diagnostics);
    }
    return p;
  };
  const head = (file: string): SourceRange => ({ file, line: 1, column: 1, endLine: 1, endColumn: 1 });

  const build = (at: string, stack: string[], from: SourceRange | undefined): KResource[] => {
    const kfile = kustomizationIn(at, files);
    if (!kfile) {
      diagnostics.push(
        makeDiagnostic('kustomize-error', from ?? head(at), {
          reason: `${at || '.'} has no ${KUSTOMIZATION_NAMES.join(' or ')}; a folder named in resources must be a kustomization.`,
        }),
      );
      return [];
    }
    if (stack.includes(at)) {
      diagnostics.push(
        makeDiagnostic('kustomize-error', from ?? head(kfile.path), { reason: `Kustomization cycle: ${[...stack, at].join(' → ')}.` }),
      );
      return [];
    }
    const doc = parsePositionedDocument(kfile.path, kfile.text);
    diagnostics.push(...doc.diagnostics);
    if (!isRecord(doc.value)) {
      if (doc.diagnostics.length === 0)
        diagnostics.push(
          makeDiagnostic('kustomize-error', doc.locate([]), { reason: `${kfile.path} must be a mapping of kustomization fields.` }),
        );
      return [];
    }
    const k = doc.value;
    for (const key of Object.keys(k)) {
      if (!HANDLED.has(key))
        diagnostics.push(
          makeDiagnostic('kustomize-unsupported', doc.locateKey([key]), {
            field: key,
            why: WHY[key] ?? 'kube-netsim does not know this field',
            dir: at || '.',
          }),
        );
    }
    const resources: KResource[] = [];
    for (const field of ['resources', 'bases']) {
      strings(doc, field, diagnostics).forEach(({ value: entry, path }) => {
        if (/^[a-z]+:\/\/|^git@|^github\.com\/|\?ref=/.test(entry)) {
          diagnostics.push(
            makeDiagnostic('kustomize-unsupported', doc.locate(path), {
              field: `${field} entry ${entry}`,
              why: 'remote bases are not fetched',
              dir: at || '.',
            }),
          );
          return;
        }
        const target = joinPath(at, entry);
        const file = files.byPath.get(target);
        if (file) {
          for (const o of parsedOnce(file).objects) resources.push(resourceFrom(o));
        } else if (files.dirs.has(target)) {
          resources.push(...build(target, [...stack, at], doc.locate(path)));
        } else {
          diagnostics.push(
            makeDiagnostic('kustomize-error', doc.locate(path), {
              reason: `${field} entry ${entry} (${target}) is neither a file nor a folder in the input; kustomize build fails here. Fix the path, or include that folder in what is analysed.`,
            }),
          );
        }
      });
    }
    applyPatches(at, doc, resources, files, parsedOnce, diagnostics);
    const ns = str(doc, 'namespace', diagnostics);
    if (ns !== undefined) setNamespace(resources, ns, doc.locate(['namespace']));
    const prefix = str(doc, 'namePrefix', diagnostics) ?? '';
    const suffix = str(doc, 'nameSuffix', diagnostics) ?? '';
    const renamed = prefix || suffix ? rename(resources, prefix, suffix) : new Map<string, string>();
    const common = labelMap(doc, ['commonLabels'], diagnostics);
    if (common) addLabels(resources, common, { selectors: true, templates: true }, (key) => doc.locate(['commonLabels', key]));
    if (isRecord(k['labels']) || (k['labels'] !== undefined && !Array.isArray(k['labels'])))
      diagnostics.push(
        makeDiagnostic('kustomize-error', doc.locate(['labels']), {
          reason: 'labels must be a list of {pairs, includeSelectors, includeTemplates}.',
        }),
      );
    (Array.isArray(k['labels']) ? k['labels'] : []).forEach((entry, i) => {
      const pairs = labelMap(doc, ['labels', i, 'pairs'], diagnostics);
      if (!pairs || !isRecord(entry)) return;
      addLabels(resources, pairs, { selectors: entry['includeSelectors'] === true, templates: entry['includeTemplates'] === true }, (key) =>
        doc.locate(['labels', i, 'pairs', key]),
      );
    });
    const annotations = labelMap(doc, ['commonAnnotations'], diagnostics);
    if (annotations) addAnnotations(resources, annotations, (key) => doc.locate(['commonAnnotations', key]));
    const replicas = (Array.isArray(k['replicas']) ? k['replicas'] : []).flatMap((e, i) =>
      isRecord(e) && typeof e['name'] === 'string' && typeof e['count'] === 'number'
        ? [{ name: e['name'], count: e['count'], at: doc.locate(['replicas', i, 'count']) }]
        : [],
    );
    for (const name of setReplicas(resources, replicas))
      diagnostics.push(
        makeDiagnostic('kustomize-error', doc.locate(['replicas']), {
          reason: `replicas names ${name}, which is no Deployment, ReplicaSet or StatefulSet of this kustomization.`,
        }),
      );
    const images = (Array.isArray(k['images']) ? k['images'] : []).flatMap((e, i) => {
      if (!isRecord(e) || typeof e['name'] !== 'string') return [];
      const img: { name: string; newName?: string; newTag?: string; digest?: string; at: SourceRange } = {
        name: e['name'],
        at: doc.locate(['images', i]),
      };
      if (typeof e['newName'] === 'string') img.newName = e['newName'];
      if (typeof e['newTag'] === 'string' || typeof e['newTag'] === 'number') img.newTag = String(e['newTag']);
      if (typeof e['digest'] === 'string') img.digest = e['digest'];
      return [img];
    });
    if (images.length) setImages(resources, images);
    const skipped = fixReferences(resources, renamed);
    if (skipped.length > 0) {
      const names = [...renamed.keys()].map((key) => key.split('|')).map(([kind, , name]) => `${kind} ${name}`);
      diagnostics.push(
        makeDiagnostic('kustomize-not-rewritten', doc.locate([prefix ? 'namePrefix' : 'nameSuffix']), {
          field: prefix ? 'namePrefix' : 'nameSuffix',
          renamed: names.length > 4 ? `${names.slice(0, 4).join(', ')} and ${names.length - 4} more` : names.join(', '),
          where: skipped.join(', '),
        }),
      );
    }
    return resources;
  };

  const rendered = build(dir, [], undefined);
  return { objects: rendered.map(toManifestObject), diagnostics };
}

function strings(doc: PositionedDocument, field: string, diagnostics: Diagnostic[]): Array<{ value: string; path: FieldPath }> {
  const v = isRecord(doc.value) ? doc.value[field] : undefined;
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    diagnostics.push(makeDiagnostic('kustomize-error', doc.locate([field]), { reason: `${field} must be a list of paths.` }));
    return [];
  }
  return v.flatMap((x, i) =>
    typeof x === 'string'
      ? [{ value: x, path: [field, i] }]
      : (diagnostics.push(
          makeDiagnostic('kustomize-error', doc.locate([field, i]), { reason: `${field} entries must be paths (strings).` }),
        ),
        []),
  );
}

function str(doc: PositionedDocument, field: string, diagnostics: Diagnostic[]): string | undefined {
  const v = isRecord(doc.value) ? doc.value[field] : undefined;
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  diagnostics.push(makeDiagnostic('kustomize-error', doc.locate([field]), { reason: `${field} must be a string.` }));
  return undefined;
}

function labelMap(doc: PositionedDocument, path: FieldPath, diagnostics: Diagnostic[]): Record<string, string> | undefined {
  const v = path.reduce<unknown>((x, p) => (isRecord(x) ? x[p as string] : Array.isArray(x) ? x[p as number] : undefined), doc.value);
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) {
    diagnostics.push(
      makeDiagnostic('kustomize-error', doc.locate(path), { reason: `${path.join('.')} must be a mapping of names to values.` }),
    );
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(v)) {
    if (typeof value === 'string') out[key] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') out[key] = String(value);
    else
      diagnostics.push(
        makeDiagnostic('kustomize-error', doc.locate([...path, key]), { reason: 'Label and annotation values must be strings.' }),
      );
  }
  return out;
}

interface Patch {
  /** The patch document and how to point into it. */
  value: Record<string, unknown>;
  locate: (p: FieldPath) => SourceRange;
  /** Explicit target selector (patches[].target), else the patch's own kind and name. */
  target?: Record<string, unknown>;
  at: SourceRange;
}

function applyPatches(
  dir: string,
  doc: PositionedDocument,
  resources: KResource[],
  files: FileIndex,
  parse: (f: InputFile) => ParsedFile,
  diagnostics: Diagnostic[],
): void {
  const patches: Patch[] = [];
  const k = doc.value as Record<string, unknown>;
  const fromFile = (entry: string, path: FieldPath, target?: Record<string, unknown>) => {
    const file = files.byPath.get(joinPath(dir, entry));
    if (!file) {
      diagnostics.push(
        makeDiagnostic('kustomize-error', doc.locate(path), {
          reason: `patch ${entry} (${joinPath(dir, entry)}) is not a file in the input; kustomize build fails here.`,
        }),
      );
      return;
    }
    const parsed = parse(file);
    if (parsed.objects.length === 0 && /^\s*-\s+op:/m.test(file.text)) {
      diagnostics.push(
        makeDiagnostic('kustomize-unsupported', doc.locate(path), {
          field: `patch ${entry}`,
          why: 'JSON 6902 patches are not applied',
          dir: dir || '.',
        }),
      );
      return;
    }
    for (const o of parsed.objects)
      patches.push({ value: o.raw, locate: o.locate, ...(target ? { target } : {}), at: o.locate(['metadata', 'name']) });
  };
  strings(doc, 'patchesStrategicMerge', diagnostics).forEach(({ value, path }) => {
    if (/^\s*apiVersion:|\n/.test(value)) inline(value, path);
    else fromFile(value, path);
  });
  (Array.isArray(k['patches']) ? k['patches'] : []).forEach((entry, i) => {
    if (!isRecord(entry)) return;
    const target = isRecord(entry['target']) ? entry['target'] : undefined;
    if (typeof entry['path'] === 'string') fromFile(entry['path'], ['patches', i, 'path'], target);
    else if (typeof entry['patch'] === 'string') inline(entry['patch'], ['patches', i, 'patch'], target);
    else
      diagnostics.push(
        makeDiagnostic('kustomize-error', doc.locate(['patches', i]), { reason: 'A patches entry needs `path` or `patch`.' }),
      );
  });
  function inline(text: string, path: FieldPath, target?: Record<string, unknown>) {
    // Positions inside an inline patch are not mapped back; everything it sets points at the field.
    const at = doc.locate(path);
    const parsed = parseManifestFile({ path: at.file, text });
    if (parsed.objects.length === 0 && /^\s*-\s+op:/m.test(text)) {
      diagnostics.push(
        makeDiagnostic('kustomize-unsupported', at, {
          field: 'inline JSON 6902 patch',
          why: 'JSON 6902 patches are not applied',
          dir: dir || '.',
        }),
      );
      return;
    }
    if (parsed.objects.length === 0 && target) {
      diagnostics.push(
        makeDiagnostic('kustomize-unsupported', at, {
          field: 'this patch',
          why: 'a strategic-merge patch without apiVersion and kind is not applied',
          dir: dir || '.',
        }),
      );
      return;
    }
    for (const o of parsed.objects) patches.push({ value: o.raw, locate: () => at, ...(target ? { target } : {}), at });
  }
  for (const p of patches) {
    const targets = p.target ? selectTargets(resources, p.target) : matchOwn(resources, p.value);
    if (targets === 'unsupported') {
      diagnostics.push(
        makeDiagnostic('kustomize-unsupported', p.at, {
          field: 'this patch target',
          why: 'annotationSelector and set-based labelSelectors are not evaluated',
          dir: dir || '.',
        }),
      );
      continue;
    }
    if (targets.length === 0 || (!p.target && targets.length > 1)) {
      const md = isRecord(p.value['metadata']) ? p.value['metadata'] : {};
      const what = p.target
        ? 'no resource matches its target'
        : `${targets.length ? 'several resources match' : 'no resource matches'} ${String(p.value['kind'])} ${String(md['name'])}`;
      diagnostics.push(
        makeDiagnostic('kustomize-error', p.at, {
          reason: `This patch cannot be applied: ${what} in ${dir || '.'}; kustomize build fails here.`,
        }),
      );
      continue;
    }
    for (const t of targets) {
      const value = p.target ? withoutIdentity(p.value) : p.value;
      for (const problem of applyStrategicMerge(t, value, p.locate)) {
        diagnostics.push(
          makeDiagnostic('kustomize-unsupported', p.locate(problem.path), {
            field: 'this patch field',
            why: `${problem.why} is not applied`,
            dir: dir || '.',
          }),
        );
      }
    }
  }
}

/** A patch with an explicit target must not rename the objects it selects. */
function withoutIdentity(v: Record<string, unknown>): Record<string, unknown> {
  const { apiVersion: _a, kind: _k, ...rest } = v;
  if (isRecord(rest['metadata'])) {
    const { name: _n, namespace: _ns, ...md } = rest['metadata'];
    return Object.keys(md).length ? { ...rest, metadata: md } : (({ metadata: _m, ...r }) => r)(rest);
  }
  return rest;
}

function matchOwn(resources: KResource[], patch: Record<string, unknown>): KResource[] {
  const md = isRecord(patch['metadata']) ? patch['metadata'] : {};
  const ns = typeof md['namespace'] === 'string' ? md['namespace'] : undefined;
  const fits = (r: KResource, name: string) =>
    kindOf(r) === patch['kind'] && name === md['name'] && (ns === undefined || namespaceOfResource(r) === ns);
  const current = resources.filter((r) => fits(r, nameOf(r)));
  return current.length ? current : resources.filter((r) => fits(r, r.originalName));
}

function selectTargets(resources: KResource[], t: Record<string, unknown>): KResource[] | 'unsupported' {
  if (t['annotationSelector'] !== undefined) return 'unsupported';
  const labels: Record<string, string> = {};
  if (typeof t['labelSelector'] === 'string') {
    for (const part of t['labelSelector']
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const m = /^([^=!]+)==?(.*)$/.exec(part);
      if (!m || !m[1] || m[2] === undefined) return 'unsupported';
      labels[m[1].trim()] = m[2].trim();
    }
  }
  const anchored = (pattern: unknown) => (typeof pattern === 'string' ? new RegExp(`^(?:${pattern})$`) : undefined);
  const name = anchored(t['name']);
  return resources.filter((r) => {
    const md = isRecord(r.raw['metadata']) ? r.raw['metadata'] : {};
    const rl = isRecord(md['labels']) ? md['labels'] : {};
    const apiVersion = scalarText(r.raw['apiVersion'] ?? '');
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    return (
      (t['kind'] === undefined || t['kind'] === kindOf(r)) &&
      (t['group'] === undefined || t['group'] === group) &&
      (t['version'] === undefined || t['version'] === version) &&
      (t['namespace'] === undefined || t['namespace'] === namespaceOfResource(r)) &&
      (!name || name.test(nameOf(r)) || name.test(r.originalName)) &&
      Object.entries(labels).every(([key, value]) => rl[key] === value)
    );
  });
}

export { dirnameOf };
