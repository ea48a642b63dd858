/** Options every simulating command shares. */
export interface CommonOptions {
  cluster?: string;
  format: string;
}

export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}
