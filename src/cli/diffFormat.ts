import { pathToFileURL } from 'node:url';
import { connText, workloadId, type Analysis, type ConnectivityDiff, type MatrixEntry, type SourceRange } from '../engine';

/** `+ SRC => DST : CONNS` for each opened connection, `- …` for each closed one, then a count. */
export function diffText(d: ConnectivityDiff): string {
  const lines = [
    ...d.opened.map((e) => `+ ${e.src} => ${e.dst} : ${connText(e)}`),
    ...d.closed.map((e) => `- ${e.src} => ${e.dst} : ${connText(e)}`),
  ];
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  lines.push(
    d.opened.length + d.closed.length === 0
      ? 'no change in connectivity'
      : `${count(d.opened.length, 'connection')} opened, ${d.closed.length} closed`,
  );
  return lines.join('\n') + '\n';
}

/** `{opened: [{src, dst, conn}], closed: [...]}`: the matrix's JSON entries, split by direction of change. */
export function diffJson(d: ConnectivityDiff): object {
  const entry = (e: MatrixEntry) => ({ src: e.src, dst: e.dst, conn: connText(e) });
  return { opened: d.opened.map(entry), closed: d.closed.map(entry) };
}

/** Where a connection's destination workload (else its source) is defined, in whichever side has it. */
function locate(e: MatrixEntry, sides: Analysis[]): SourceRange | undefined {
  for (const name of [e.dst, e.src]) {
    for (const a of sides) {
      const pod = a.cluster.pods.find((p) => p.origin.kind === 'manifest' && workloadId(p.workload) === name);
      if (pod?.origin.kind === 'manifest') return pod.origin.object.locate(['metadata', 'name']);
    }
  }
  return undefined;
}

const RULES = [
  {
    id: 'connection-opened',
    name: 'ConnectionOpened',
    text: 'The change lets a workload open a connection that NetworkPolicy did not allow before.',
    level: 'warning',
  },
  {
    id: 'connection-closed',
    name: 'ConnectionClosed',
    text: 'The change makes NetworkPolicy drop a connection that it allowed before.',
    level: 'note',
  },
] as const;

/** SARIF 2.1.0: one result per opened (warning) or closed (note) connection, at the destination workload's manifest. */
export function diffSarif(d: ConnectivityDiff, before: Analysis, after: Analysis, version: string, cwd: string): object {
  const result = (e: MatrixEntry, ruleIndex: 0 | 1) => {
    const at = locate(e, ruleIndex === 0 ? [after, before] : [before, after]);
    const uri = at
      ? at.file.startsWith('/')
        ? { uri: pathToFileURL(at.file).href }
        : { uri: at.file.split('/').map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' }
      : undefined;
    return {
      ruleId: RULES[ruleIndex].id,
      ruleIndex,
      level: RULES[ruleIndex].level,
      message: { text: `${ruleIndex === 0 ? 'Opened' : 'Closed'}: ${e.src} => ${e.dst} : ${e.conn.toString()}` },
      ...(at && uri
        ? { locations: [{ physicalLocation: { artifactLocation: uri, region: { startLine: at.line, startColumn: at.column } } }] }
        : {}),
      properties: { src: e.src, dst: e.dst, conn: e.conn.toString() },
    };
  };
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'kube-netsim',
            version,
            informationUri: 'https://kubernetes.io/docs/concepts/services-networking/network-policies/',
            rules: RULES.map((r) => ({
              id: r.id,
              name: r.name,
              shortDescription: { text: r.text },
              defaultConfiguration: { level: r.level },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(cwd.endsWith('/') ? cwd : `${cwd}/`).href } },
        results: [...d.opened.map((e) => result(e, 0)), ...d.closed.map((e) => result(e, 1))],
      },
    ],
  };
}
