import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import pg from 'pg';
import type { WireServer } from '../src/wire/server.js';
import { type FakeRegistry, startFakeServer } from './wire-fake-backend.js';

describe('wire protocol with real clients (node-postgres, psql)', () => {
  let server: WireServer;
  let registry: FakeRegistry;
  before(async () => ({ server, registry } = await startFakeServer()));
  after(async () => server.close());

  const connect = async (): Promise<pg.Client> => {
    const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'bob', database: 'quiver' });
    await client.connect();
    return client;
  };

  it('runs simple queries and reads ParameterStatus', async () => {
    const client = await connect();
    const r = await client.query('series 3');
    assert.deepEqual(r.rows, [{ n: 1 }, { n: 2 }, { n: 3 }]);
    assert.equal(r.command, 'SELECT');
    assert.equal(r.rowCount, 3);
    assert.equal(r.fields[0]!.dataTypeID, 23);
    const multi = await client.query('series 1; series 2');
    assert.ok(Array.isArray(multi));
    await client.end();
    assert.equal(registry.backends.at(-1)!.closed, true);
  });

  it('runs parameterized queries through the extended protocol (text parameters)', async () => {
    const client = await connect();
    const r = await client.query('echo $1 $2', ['hello', 'wörld']);
    assert.deepEqual(r.rows, [{ p1: 'hello', p2: 'wörld' }]);
    const typed = await client.query({ text: 'echo $1 $2', values: [42, '2024-02-29'], types: undefined });
    assert.deepEqual(typed.rows[0], { p1: '42', p2: '2024-02-29' });
    const arr = await client.query({ text: 'series 2', rowMode: 'array' });
    assert.deepEqual(arr.rows, [[1], [2]]);
    await client.end();
  });

  it('returns binary results that node-postgres decodes (binary: true)', async () => {
    const client = await connect();
    const config = { text: 'series 2', binary: true, queryMode: 'extended' } as pg.QueryConfig;
    const r = await client.query(config);
    assert.deepEqual(r.rows, [{ n: 1 }, { n: 2 }]);
    assert.equal(r.fields[0]!.format, 'binary');
    await client.end();
  });

  it('re-uses named prepared statements (one Parse, many Binds)', async () => {
    const client = await connect();
    const backend = registry.backends.at(-1)!;
    for (const v of ['a', 'b', 'c']) {
      const r = await client.query({ name: 'my-echo', text: 'echo $1', values: [v] });
      assert.deepEqual(r.rows, [{ p1: v }]);
    }
    assert.equal(backend.calls.filter((c) => c === 'prepare echo $1').length, 1);
    assert.equal(backend.calls.filter((c) => c === 'execute echo $1').length, 3);
    await client.end();
  });

  it('returns errors with code, position and fields; the connection stays usable', async () => {
    const client = await connect();
    await assert.rejects(client.query('series 1; bad thing'), (e: pg.DatabaseError) => {
      assert.equal(e.code, '42601');
      assert.equal(e.position, '15');
      assert.equal(e.message, 'syntax error at or near "thing"');
      return true;
    });
    await assert.rejects(client.query('fail', []), (e: pg.DatabaseError) => {
      assert.deepEqual([e.code, e.detail, e.hint, e.constraint, e.table, e.schema], ['23505', 'Key (id)=(1) already exists.', 'some hint', 't_pkey', 't', 'public']);
      return true;
    });
    assert.deepEqual((await client.query('series 1')).rows, [{ n: 1 }]);
    await client.end();
  });

  it('delivers notices to the client', async () => {
    const client = await connect();
    const notices: string[] = [];
    client.on('notice', (n) => notices.push(`${n.severity} ${n.message} ${n.detail}`));
    await client.query('notice');
    assert.deepEqual(notices, ['NOTICE hello notice d']);
    await client.end();
  });

  it('is reachable by psql', async () => {
    const run = promisify(execFile);
    const { stdout } = await run('psql', ['-h', '127.0.0.1', '-p', String(server.port), '-U', 'carol', '-d', 'quiver', '-X', '-A', '-t', '-c', 'series 3'], { env: { ...process.env, PGCONNECT_TIMEOUT: '5' } });
    assert.equal(stdout, '1\n2\n3\n');
    const err = await run('psql', ['-h', '127.0.0.1', '-p', String(server.port), '-U', 'carol', '-d', 'quiver', '-X', '-c', 'fail']).catch((e: { stderr: string }) => e);
    assert.match((err as { stderr: string }).stderr, /ERROR: {2}duplicate key value violates unique constraint "t_pkey"\nDETAIL: {2}Key \(id\)=\(1\) already exists\./);
  });
});
