import type { TroubleshootResult, TroubleshootStep } from '../engine';

/** A step as the JSON output gives it: the range flattened to file, line and column, as diagnostics are. */
export function stepJson(s: TroubleshootStep): Record<string, unknown> {
  const { range, ...rest } = s;
  return range ? { ...rest, file: range.file, line: range.line, column: range.column } : rest;
}

/** The walk as a checklist: each step with the command to run, what a healthy cluster shows and what the simulation shows. */
export function troubleshootText(r: TroubleshootResult): string {
  const lines = [`${r.title}: ${r.subject}`, ''];
  r.steps.forEach((s, i) => {
    lines.push(`${String(i + 1).padStart(2)}. [${s.ok ? 'ok' : 'FAIL'}] ${s.check}`);
    lines.push(`      $ ${s.kubectl}`);
    lines.push(`      expected:  ${s.expected}`);
    lines.push(`      simulated: ${s.simulated}`);
    if (s.fix) lines.push(`      fix:       ${s.fix}`);
    if (s.range) lines.push(`      at:        ${s.range.file}:${s.range.line}:${s.range.column}`);
  });
  lines.push(
    '',
    r.ok
      ? `Every step passes: the simulation finds nothing wrong on this path.`
      : `Stopped at step ${r.steps.length}: fix it and run the walk again.`,
  );
  return lines.join('\n') + '\n';
}
