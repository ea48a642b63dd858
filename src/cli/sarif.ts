import { pathToFileURL } from 'node:url';
import { CATALOGUE, type Analysis, type Diagnostic, type DiagnosticCode, type Severity, type SourceRange } from '../engine';

const INFO = 'https://kubernetes.io/docs/concepts/services-networking/';
const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const SRCROOT = '%SRCROOT%';

type Level = 'error' | 'warning' | 'note';

function level(s: Severity): Level {
  return s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'note';
}

/** `service-no-endpoints` → `ServiceNoEndpoints`: SARIF's rule `name` is an identifier, the id stays the stable code. */
export function ruleName(code: string): string {
  return code.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

/** The first sentence of a summary, for shortDescription (viewers show it in one line). */
function firstSentence(text: string): string {
  const m = /^(.*?[.!?])(\s|$)/.exec(text);
  return m?.[1] ?? text;
}

function rule(code: DiagnosticCode): object {
  const info = CATALOGUE[code];
  const lvl = level(info.severity);
  return {
    id: code,
    name: ruleName(code),
    shortDescription: { text: firstSentence(info.summary) },
    fullDescription: {
      text: `${info.summary} kube-netsim reports it as ${info.severity === 'info' ? 'a note' : `an ${info.severity}`} at the field at fault, from a simulation of the cluster the manifests describe.`,
    },
    helpUri: info.docs,
    help: {
      text: `${info.summary} Kubernetes documentation: ${info.docs}`,
      markdown: `**${code}**: ${info.summary}\n\nSee the [Kubernetes documentation](${info.docs}); kube-netsim's README lists every code under *Diagnostic codes*.`,
    },
    defaultConfiguration: { level: lvl, enabled: true },
    properties: { tags: ['kubernetes', 'networking'], precision: 'high', 'problem.severity': lvl === 'note' ? 'recommendation' : lvl },
  };
}

/** A file as SARIF names it: relative to %SRCROOT% (the working directory) when it lies below it, else a file: URI. */
function artifact(file: string): { uri: string; uriBaseId?: string } {
  if (file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(file)) return { uri: pathToFileURL(file).href };
  return { uri: file.split('/').map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

function region(r: SourceRange): object {
  // SARIF regions are 1-based and end-exclusive in columns, as the engine's ranges are.
  const end = r.endLine > r.line || (r.endLine === r.line && r.endColumn > r.column) ? { endLine: r.endLine, endColumn: r.endColumn } : {};
  return { startLine: r.line, startColumn: r.column, ...end };
}

function location(r: SourceRange, extra: object = {}): object {
  return { ...extra, physicalLocation: { artifactLocation: artifact(r.file), region: region(r) } };
}

function result(d: Diagnostic, ruleIndex: number): object {
  return {
    ruleId: d.code,
    ruleIndex,
    level: level(d.severity),
    message: { text: d.message },
    locations: [location(d.range)],
    ...(d.related ? { relatedLocations: d.related.map((r, i) => location(r.location, { id: i + 1, message: { text: r.message } })) } : {}),
    ...(d.fixes
      ? {
          fixes: d.fixes.map((f) => ({
            description: { text: f.title },
            // One artifactChange per file, as SARIF requires.
            artifactChanges: [...new Set(f.edits.map((e) => e.range.file))].map((file) => ({
              artifactLocation: artifact(file),
              replacements: f.edits
                .filter((e) => e.range.file === file)
                .map((e) => ({
                  deletedRegion: {
                    startLine: e.range.line,
                    startColumn: e.range.column,
                    endLine: e.range.endLine,
                    endColumn: e.range.endColumn,
                  },
                  insertedContent: { text: e.newText },
                })),
            })),
          })),
        }
      : {}),
    ...(d.resource ? { properties: { resource: d.resource } } : {}),
  };
}

/**
 * SARIF 2.1.0 for GitHub code scanning and other viewers: one rule per diagnostic code with the
 * catalogue's texts and documentation links, one result per diagnostic with its exact region.
 * `cwd` is what relative file names are relative to (%SRCROOT%).
 */
export function analysisSarif(a: Analysis, version: string, cwd: string): object {
  const codes = Object.keys(CATALOGUE) as DiagnosticCode[];
  return {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'kube-netsim',
            version,
            semanticVersion: version,
            informationUri: INFO,
            rules: codes.map(rule),
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: pathToFileURL(cwd.endsWith('/') ? cwd : `${cwd}/`).href } },
        columnKind: 'utf16CodeUnits',
        results: a.diagnostics.map((d) => result(d, codes.indexOf(d.code))),
        // Silenced results are left out (code scanning would open alerts for them); their count stays.
        properties: { suppressed: a.suppressed.length },
      },
    ],
  };
}
