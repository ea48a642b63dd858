// Reading the project's own sources as text: the purity and layout tests scan imports with these.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every source file under `dir`, recursively. */
export function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.(ts|tsx|js|mjs|cjs)$/.test(name) ? [p] : [];
  });
}

/** Source without comments, so that prose such as "the process." in a comment is not code. */
export function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** Every module specifier imported, re-exported or required. */
export function imports(text: string): string[] {
  const out: string[] = [];
  // Statements only (`import … from`, `export … from`, `import 'x'`), never prose inside strings.
  const statements = [/^\s*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/gm, /^\s*import\s*['"]([^'"]+)['"]/gm];
  for (const re of [...statements, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g]) {
    for (const m of text.matchAll(re)) out.push(m[1] ?? '');
  }
  return out;
}
