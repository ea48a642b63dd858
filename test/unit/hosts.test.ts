import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findHostReferences } from '../../src/engine/dns/hosts';

/** `host port explicit? @index` per reference, for one-line comparisons. */
const refs = (text: string) =>
  findHostReferences(text).map((r) => `${r.host} ${r.port ?? '-'}${r.explicitPort ? '' : ' (default)'} @${r.index}`);

describe('hosts: references in texts', () => {
  const cases: Array<[string, string[]]> = [
    ['http://backend:8080/api', ['backend 8080 @7']],
    ['http://backend/api', ['backend 80 (default) @7']],
    ['https://payments.shop.svc.cluster.local/charge', ['payments.shop.svc.cluster.local 443 (default) @8']],
    ['grpc://orders:50051', ['orders 50051 @7']],
    ['ws://chat', ['chat 80 (default) @5']],
    ['wss://chat', ['chat 443 (default) @6']],
    ['postgres://app:secret@postgres-0.postgres:5432/shop', ['postgres-0.postgres 5432 @22']],
    ['postgresql://db/shop', ['db 5432 (default) @13']],
    ['mysql://root@mysql', ['mysql 3306 (default) @13']],
    ['mongodb://mongo', ['mongo 27017 (default) @10']],
    ['redis://cache', ['cache 6379 (default) @8']],
    ['amqp://guest:guest@rabbitmq', ['rabbitmq 5672 (default) @19']],
    ['nats://nats', ['nats 4222 (default) @7']],
    ['jdbc:postgresql://db:5432/app', ['db 5432 @18']],
    ['HTTP://Backend:8080', ['backend 8080 @7']],
    ['unknownscheme://thing', ['thing - (default) @16']],
    ['redis:6379', ['redis 6379 @0']],
    ['kafka-0.kafka:9092,kafka-1.kafka:9092', ['kafka-0.kafka 9092 @0', 'kafka-1.kafka 9092 @19']],
    ['--upstream=backend:8080', ['backend 8080 @11']],
    ['sentinel-a:26379 sentinel-b:26379', ['sentinel-a 26379 @0', 'sentinel-b 26379 @17']],
    ['call http://a:1 then b:2', ['a 1 @12', 'b 2 @21']],
  ];
  for (const [text, expected] of cases) it(text, () => assert.deepEqual(refs(text), expected));

  const ignored = [
    'localhost:8080',
    'http://localhost:3000',
    'http://127.0.0.1:80',
    'http://10.0.0.5:8080/x',
    '10.0.0.5:8080',
    'http://[::1]:8080',
    'http://my_service:80',
    'http://api.example:80',
    '12:30',
    'nginx:1.27',
    'plain text without hosts',
    'a: b',
    '0.0.0.0:8080',
  ];
  for (const text of ignored) it(`ignores ${text}`, () => assert.deepEqual(refs(text), []));

  it('ignores very long texts (certificates, scripts)', () => {
    assert.deepEqual(refs('http://backend:80 ' + 'x'.repeat(5000)), []);
  });

  it('gives the reference text as written', () => {
    assert.deepEqual(
      findHostReferences('BACKEND=http://Backend:8080/api/v1').map((r) => [r.text, r.scheme]),
      [['http://Backend:8080', 'http']],
    );
    assert.deepEqual(
      findHostReferences('redis:6379').map((r) => [r.text, r.scheme]),
      [['redis:6379', undefined]],
    );
  });
});
