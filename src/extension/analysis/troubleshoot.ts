// Runs in the analysis worker (no vscode here): a troubleshooting walk for the command, as data and
// as the Markdown checklist it opens, and the subjects a user can pick from.
import { serviceId, troubleshoot, type Analysis, type TroubleshootResult, type TroubleshootSubject } from '../../engine';
import type { PickItem } from './commandQueries';

export interface TroubleshootPick extends PickItem {
  subject: TroubleshootSubject;
}

/** Every Service and Ingress of the manifests, Services first. */
export function troubleshootPicks(a: Analysis): TroubleshootPick[] {
  const services = a.cluster.services
    .filter((s) => s.origin.kind === 'manifest')
    .map((s) => ({ label: `Service ${serviceId(s)}`, description: `${s.type} · can't reach it`, subject: { service: serviceId(s) } }));
  const external = a.cluster.services
    .filter((s) => s.origin.kind === 'manifest' && (s.type === 'LoadBalancer' || s.type === 'NodePort'))
    .map((s) => ({
      label: `Service ${serviceId(s)} from outside`,
      description: `${s.type} · external access`,
      subject: { external: serviceId(s) },
    }));
  const ingresses = a.ingress.ingresses.map((i) => ({
    label: `Ingress ${i.namespace}/${i.name}`,
    description: `class ${i.className ?? 'none'} · not working`,
    subject: { ingress: `${i.namespace}/${i.name}` },
  }));
  return [...services, ...external, ...ingresses];
}

/** Markdown-safe text: the characters that would start emphasis, code, links or HTML are escaped. */
const md = (text: string) => text.replace(/[\\`*_{}[\]()#+!<>|~]/g, (c) => `\\${c}`);

/**
 * The walk as a checklist: a line per step (✅ or ❌), the command, what a healthy cluster shows,
 * what the simulation shows, and on the failing step the fix with a link to the field at fault.
 */
export function troubleshootMarkdown(
  r: TroubleshootResult,
  linkOf: (file: string, line: number, column: number) => string | undefined,
): string {
  const out = [`# ${md(r.title)}: ${md(r.subject)}`, ''];
  for (const s of r.steps) {
    out.push(`- ${s.ok ? '✅' : '❌'} **${md(s.check)}**`);
    out.push(`  - run: \`${s.kubectl.replace(/`/g, "'")}\``);
    out.push(`  - a healthy cluster shows: ${md(s.expected)}`);
    out.push(`  - the simulation shows: ${md(s.simulated)}`);
    if (s.fix) out.push(`  - **fix**: ${md(s.fix)}`);
    if (s.range) {
      const link = linkOf(s.range.file, s.range.line, s.range.column);
      const where = `${s.range.file}:${s.range.line}`;
      out.push(`  - at: ${link ? `[${md(where)}](${link})` : md(where)}`);
    }
  }
  out.push(
    '',
    r.ok
      ? 'Every step passes: the simulation finds nothing wrong on this path.'
      : `Stopped at step ${r.steps.length}: fix it and run the walk again.`,
  );
  return out.join('\n') + '\n';
}

export function runTroubleshoot(
  a: Analysis,
  subject: TroubleshootSubject,
): { ok: true; result: TroubleshootResult } | { ok: false; message: string } {
  const r = troubleshoot(a, subject);
  return 'error' in r ? { ok: false, message: r.error } : { ok: true, result: r };
}
