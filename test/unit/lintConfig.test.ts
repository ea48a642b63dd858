// `npm run lint` must catch what it promises to: a floating promise (ESLint, type-checked) and a
// misformatted file (Prettier). Runs both tools with the repository's own configuration.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import * as prettier from 'prettier';

const ROOT = join(__dirname, '..', '..');
// A file inside the TypeScript project, so the type-checked rules apply (git-ignored, removed after).
const PROBE = join(ROOT, 'test', 'lintProbe.generated.ts');

describe('lint configuration', () => {
  it('ESLint reports a floating promise and passes the same code awaited', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const floating = 'export function f(): void {\n  Promise.resolve(1);\n}\n';
    const awaited = 'export async function f(): Promise<void> {\n  await Promise.resolve(1);\n}\n';
    const lint = async (text: string) => {
      writeFileSync(PROBE, text);
      try {
        return (await eslint.lintFiles([PROBE]))[0];
      } finally {
        rmSync(PROBE, { force: true });
      }
    };
    const bad = await lint(floating);
    const good = await lint(awaited);
    assert.deepEqual(
      bad?.messages.map((m) => m.ruleId),
      ['@typescript-eslint/no-floating-promises'],
    );
    assert.deepEqual(good?.messages, []);
  });

  it('Prettier rejects a misformatted file and accepts it formatted', async () => {
    const options = { ...(await prettier.resolveConfig(PROBE)), filepath: PROBE };
    const messy = 'export const x = {a:1,\n  b: "two"}\n';
    assert.equal(await prettier.check(messy, options), false);
    assert.equal(await prettier.check(await prettier.format(messy, options), options), true);
    assert.equal(await prettier.format(messy, options), "export const x = { a: 1, b: 'two' };\n", 'single quotes, as the config says');
  });
});
