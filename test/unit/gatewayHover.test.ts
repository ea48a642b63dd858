// The Gateway API's hovers (computed in the analysis worker): a parentRef shows its Accepted
// condition, a backendRef its resolution, share and endpoints, a listener the routes attached.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hoverAt } from '../../src/extension/analysis/hoverText';
import { SymbolIndex } from '../../src/extension/analysis/symbols';
import { analyze, lineOf } from '../helpers';

const DIR = join(__dirname, '..', 'fixtures', 'gateway');
const FILES = Object.fromEntries(readdirSync(DIR).map((f) => [f, readFileSync(join(DIR, f), 'utf8')]));

function hover(file: string, needle: string, nth = 0): string {
  const a = analyze(FILES);
  const text = FILES[file]!;
  const line = lineOf(text, needle, nth) - 1;
  const character = (text.split('\n')[line] ?? '').indexOf(needle.split(': ')[1] ?? needle) + 1;
  return hoverAt(a, new SymbolIndex(a), file, { line, character })?.lines.join('\n') ?? '';
}

describe('gateway hovers', () => {
  it('a backendRef: resolved, its weight share and its endpoints', () => {
    const h = hover('routes.yaml', 'name: api-canary');
    assert.match(h, /\*\*backendRef `shop\/api-canary:8080`\*\*: resolved, weight 10 of 100 \(10%\)/);
    assert.match(h, /Endpoints of `shop\/api-canary`:/);
  });

  it('a listener: the routes attached to it', () => {
    const h = hover('gateway.yaml', 'name: https');
    assert.match(h, /\*\*Listener `https`\*\* HTTPS 443 for `\*\.shop\.example`: 2 routes attached/);
    assert.match(h, /HTTPRoute `shop\/storefront`/);
  });
});

describe('gateway hovers on a parentRef', () => {
  it('at the Gateway name it names, as at the entry: the Accepted condition', () => {
    const h = hover('routes.yaml', 'name: public');
    assert.match(h, /\*\*parentRef `infra\/public` \/ `http`\*\*: Accepted True \(Accepted\)/);
  });
});
