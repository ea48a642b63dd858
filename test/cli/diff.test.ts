import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { cli, ensureBuilt, json } from './run';

const OLD = 'test/fixtures/diff/before';
const NEW = 'test/fixtures/diff/after';

describe('cli diff', () => {
  before(() => ensureBuilt());

  it('text: one + line per opened connection, one - line per closed one, in the matrix format; exit 0', () => {
    const r = cli('diff', OLD, NEW);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stdout,
      '+ 203.0.113.0-203.0.113.255[External] => x/web[Deployment] : TCP 8080\n- x/web[Deployment] => x/db[Deployment] : TCP 5432\n1 connection opened, 1 closed\n',
    );
    assert.equal(cli('diff', NEW, NEW).stdout, 'no change in connectivity\n');
  });

  it('json: {opened, closed} with the matrix JSON entries', () => {
    const out = json<{
      opened: Array<{ src: string; dst: string; conn: string }>;
      closed: Array<{ src: string; dst: string; conn: string }>;
    }>(cli('diff', OLD, NEW, '--format', 'json'));
    assert.deepEqual(out, {
      opened: [{ src: '203.0.113.0-203.0.113.255[External]', dst: 'x/web[Deployment]', conn: 'TCP 8080' }],
      closed: [{ src: 'x/web[Deployment]', dst: 'x/db[Deployment]', conn: 'TCP 5432' }],
    });
  });

  it('sarif: a warning per opened connection and a note per closed one, at the destination workload', () => {
    const sarif = json<{
      version: string;
      runs: Array<{
        tool: { driver: { rules: Array<{ id: string }> } };
        results: Array<{
          ruleId: string;
          level: string;
          locations?: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }>;
        }>;
      }>;
    }>(cli('diff', OLD, NEW, '--format', 'sarif'));
    assert.equal(sarif.version, '2.1.0');
    const run = sarif.runs[0];
    assert.deepEqual(
      run?.tool.driver.rules.map((r) => r.id),
      ['connection-opened', 'connection-closed'],
    );
    assert.deepEqual(
      run?.results.map(
        (r) =>
          `${r.ruleId} ${r.level} ${r.locations?.[0]?.physicalLocation.artifactLocation.uri}:${r.locations?.[0]?.physicalLocation.region.startLine}`,
      ),
      ['connection-opened warning test/fixtures/diff/after/app.yaml:9', 'connection-closed note test/fixtures/diff/before/app.yaml:29'],
    );
  });

  it('--fail-on-open exits 1 when the change opens a connection (each direction opens one here), 0 when it opens none', () => {
    assert.equal(cli('diff', OLD, NEW, '--fail-on-open').status, 1);
    assert.equal(cli('diff', NEW, OLD, '--fail-on-open').status, 1);
    assert.equal(cli('diff', OLD, OLD, '--fail-on-open').status, 0);
  });

  it('bad usage exits 2 with one line', () => {
    const r = cli('diff', OLD);
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    const missing = cli('diff', OLD, 'test/fixtures/diff/nowhere');
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /nowhere: no such file or folder/);
  });
});
