// Prints the README's table of diagnostic codes from the engine's CATALOGUE, so the two never
// drift apart. `node --import tsx scripts/catalogue.ts` prints it; `--write` puts it into
// README.md between the `<!-- codes:start -->` and `<!-- codes:end -->` markers (a unit test fails
// when the README is out of date).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DiagnosticCode } from '../src/engine/diagnostics';
import { CATALOGUE } from '../src/engine/catalogue';

export const START = '<!-- codes:start -->';
export const END = '<!-- codes:end -->';

/** The table of every code, in catalogue order: code, severity, the one-line summary. */
export function catalogueMarkdown(): string {
  const rows = (Object.keys(CATALOGUE) as DiagnosticCode[]).map((code) => {
    const info = CATALOGUE[code];
    return `| [\`${code}\`](${info.docs}) | ${info.severity} | ${info.summary.replace(/\|/g, '\\|')} |`;
  });
  return ['| code | severity | meaning |', '|---|---|---|', ...rows].join('\n') + '\n';
}

/** The README with the table between the markers replaced by the current one. */
export function withCatalogue(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} … ${END} section; add the markers where the table belongs`);
  return `${readme.slice(0, start + START.length)}\n${catalogueMarkdown()}${readme.slice(end)}`;
}

if (require.main === module) {
  const path = join(__dirname, '..', 'README.md');
  if (process.argv.includes('--write')) writeFileSync(path, withCatalogue(readFileSync(path, 'utf8')));
  else process.stdout.write(catalogueMarkdown());
}
