// Runs in the analysis worker (no vscode here): Markdown helpers shared by the hovers.

/** Inline code that cannot be broken out of by manifest text. */
export function code(text: string): string {
  const clean = text.replace(/`/g, "'").replace(/[\r\n]+/g, ' ');
  return '`' + clean + '`';
}
