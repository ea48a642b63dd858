import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOGUE } from '../../src/engine';
import { catalogueMarkdown, withCatalogue } from '../../scripts/catalogue';

describe('the README catalogue of diagnostic codes', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

  it('is up to date with the engine (run: node --import tsx scripts/catalogue.ts --write)', () => {
    assert.equal(withCatalogue(readme), readme);
  });

  it('lists every code once, with its severity', () => {
    const table = catalogueMarkdown();
    for (const [code, info] of Object.entries(CATALOGUE)) {
      const rows = table.split('\n').filter((l) => l.startsWith(`| [\`${code}\`]`));
      assert.equal(rows.length, 1, code);
      assert.match(rows[0] ?? '', new RegExp(`\\| ${info.severity} \\|`));
    }
  });

  it('every summary ends a sentence and every code links to https documentation', () => {
    for (const [code, info] of Object.entries(CATALOGUE)) {
      assert.match(info.summary, /^[A-Z`a-z].*[.)]$/, code);
      assert.ok(info.docs.startsWith('https://'), code);
    }
  });
});
