/**
 * PostgreSQL's implicit transaction of one Query message or one pipeline (Execute … Sync):
 * the statements of a multi-statement simple Query, and the Executes before a Sync, commit
 * together at its end, and an error in any of them rolls back the ones before it. Every
 * expected message list was recorded from PostgreSQL 15 with the same messages; check them
 * with QUIVER_TEST_PORT=55432 QUIVER_TEST_DATABASE=bench.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { serialize } from 'pg-protocol';
import pg from 'pg';
import { startQuiver, TEST_DATABASE, type QuiverServer } from './support/server.js';
import { RawClient, errorFields, summarize, type RawFrame } from './wire-fake-backend.js';

let server: QuiverServer;
let c: RawClient;
/** another session: what it sees is what was committed */
let other: pg.Client;

/** send the messages, read the answers up to the ReadyForQuery of the last Sync / Query */
async function run(messages: Buffer[], readyCount = 1): Promise<string[]> {
  c.write(Buffer.concat(messages));
  const frames: RawFrame[] = [];
  for (let i = 0; i < readyCount; i++) frames.push(...await c.untilReady());
  return summarize(frames);
}

/** a division by zero while the statement runs (PostgreSQL folds a constant 1/0 already at Bind) */
const FAIL = 'SELECT 1/z FROM ib_zero';

const simple = (sql: string): Promise<string[]> => run([serialize.query(sql)]);

/** Parse / Bind / Execute of one statement (unnamed), no Sync */
const step = (text: string): Buffer[] => [serialize.parse({ text }), serialize.bind({}), serialize.execute({})];

async function rows(): Promise<string> {
  const r = await other.query('SELECT coalesce(string_agg(a::text, \',\' ORDER BY a), \'\') AS a FROM ib_t');
  return r.rows[0].a as string;
}

/** frames until (and including) the first one with this code */
async function until(code: string): Promise<RawFrame[]> {
  const frames: RawFrame[] = [];
  for (;;) {
    const f = await c.readFrame();
    frames.push(f);
    if (f.code === code) return frames;
  }
}

before(async () => {
  server = await startQuiver({ args: ['--query-workers', '0'] });
  c = await RawClient.connect(server.port);
  c.write(serialize.startup({ user: 'postgres', database: TEST_DATABASE }));
  await c.untilReady();
  other = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: TEST_DATABASE });
  await other.connect();
  await other.query('DROP TABLE IF EXISTS ib_t; DROP TABLE IF EXISTS ib_new; DROP TABLE IF EXISTS ib_zero');
  await other.query('CREATE TABLE ib_t (a int)');
  await other.query('CREATE TABLE ib_zero (z int); INSERT INTO ib_zero VALUES (0)');
});

beforeEach(async () => {
  await other.query('TRUNCATE ib_t');
});

after(async () => {
  if (other) {
    await other.query('DROP TABLE IF EXISTS ib_t; DROP TABLE IF EXISTS ib_new; DROP TABLE IF EXISTS ib_zero');
    await other.end();
  }
  c?.end();
  await server?.stop();
});

describe('a simple Query of several statements', () => {
  it('an error rolls back the statements before it', async () => {
    assert.deepEqual(await simple('INSERT INTO ib_t VALUES (1); INSERT INTO ib_t VALUES (2); SELECT 1/0'),
      ['C:INSERT 0 1', 'C:INSERT 0 1', 'E:22012', 'Z:I']);
    assert.equal(await rows(), '');
  });

  it('commits all of them at its end', async () => {
    assert.deepEqual(await simple('INSERT INTO ib_t VALUES (1); INSERT INTO ib_t VALUES (2)'),
      ['C:INSERT 0 1', 'C:INSERT 0 1', 'Z:I']);
    assert.equal(await rows(), '1,2');
  });

  it('a CREATE TABLE before the error is rolled back too', async () => {
    assert.deepEqual(await simple('CREATE TABLE ib_new (b int); INSERT INTO ib_new VALUES (1); SELECT 1/0'),
      ['C:CREATE TABLE', 'C:INSERT 0 1', 'E:22012', 'Z:I']);
    assert.deepEqual(await simple('SELECT * FROM ib_new'), ['E:42P01', 'Z:I']);
  });

  it('a SET before the error is undone', async () => {
    assert.deepEqual(await simple('SET extra_float_digits = 3; SELECT 1/0'), ['C:SET', 'E:22012', 'Z:I']);
    assert.deepEqual(await simple('SHOW extra_float_digits'), ['T', 'D:1', 'C:SHOW', 'Z:I']);
  });

  it('COMMIT in the string commits what came before (with a warning); a later error rolls back only what follows', async () => {
    assert.deepEqual(await simple('INSERT INTO ib_t VALUES (3); COMMIT; INSERT INTO ib_t VALUES (4); SELECT 1/0'),
      ['C:INSERT 0 1', 'N:there is no transaction in progress', 'C:COMMIT', 'C:INSERT 0 1', 'E:22012', 'Z:I']);
    assert.equal(await rows(), '3');
  });

  it('ROLLBACK in the string undoes what came before (with a warning)', async () => {
    assert.deepEqual(await simple('INSERT INTO ib_t VALUES (5); ROLLBACK; INSERT INTO ib_t VALUES (6)'),
      ['C:INSERT 0 1', 'N:there is no transaction in progress', 'C:ROLLBACK', 'C:INSERT 0 1', 'Z:I']);
    assert.equal(await rows(), '6');
  });

  it('BEGIN in the string turns the implicit block into the explicit one, without a warning', async () => {
    assert.deepEqual(await simple('INSERT INTO ib_t VALUES (7); BEGIN; INSERT INTO ib_t VALUES (8)'),
      ['C:INSERT 0 1', 'C:BEGIN', 'C:INSERT 0 1', 'Z:T']);
    assert.equal(await rows(), '');
    assert.deepEqual(await simple('COMMIT'), ['C:COMMIT', 'Z:I']);
    assert.equal(await rows(), '7,8');
  });

  it('SAVEPOINT is refused as outside a block', async () => {
    assert.deepEqual(await simple('SELECT 1; SAVEPOINT s'), ['T', 'D:1', 'C:SELECT 1', 'E:25P01', 'Z:I']);
    assert.deepEqual(await simple('SAVEPOINT s; SELECT 1'), ['E:25P01', 'Z:I']);
  });

  it('SET LOCAL holds to the end of the Query, without a warning; alone it warns and does nothing', async () => {
    assert.deepEqual(await simple('SET LOCAL extra_float_digits = 3; SHOW extra_float_digits'), ['C:SET', 'T', 'D:3', 'C:SHOW', 'Z:I']);
    assert.deepEqual(await simple('SHOW extra_float_digits'), ['T', 'D:1', 'C:SHOW', 'Z:I']);
    assert.deepEqual(await simple('SET LOCAL extra_float_digits = 3'), ['N:SET LOCAL can only be used in transaction blocks', 'C:SET', 'Z:I']);
    assert.deepEqual(await simple('SHOW extra_float_digits'), ['T', 'D:1', 'C:SHOW', 'Z:I']);
  });

  it('VACUUM, CREATE DATABASE and CREATE INDEX CONCURRENTLY cannot run in it (25001)', async () => {
    assert.deepEqual(await simple('VACUUM ib_t; SELECT 1'), ['E:25001', 'Z:I']);
    assert.deepEqual(await simple('SELECT 1; VACUUM ib_t'), ['T', 'D:1', 'C:SELECT 1', 'E:25001', 'Z:I']);
    assert.deepEqual(await simple('SELECT 1; CREATE DATABASE ib_never'), ['T', 'D:1', 'C:SELECT 1', 'E:25001', 'Z:I']);
    assert.deepEqual(await simple('INSERT INTO ib_t VALUES (9); CREATE INDEX CONCURRENTLY ON ib_t (a)'), ['C:INSERT 0 1', 'E:25001', 'Z:I']);
    assert.equal(await rows(), '');
  });

  it('a WITH HOLD cursor declared in a Query that fails is dropped', async () => {
    assert.deepEqual(await simple('INSERT INTO ib_t VALUES (10); DECLARE h CURSOR WITH HOLD FOR SELECT a FROM ib_t; SELECT 1/0'),
      ['C:INSERT 0 1', 'C:DECLARE CURSOR', 'E:22012', 'Z:I']);
    assert.deepEqual(await simple('FETCH h'), ['E:34000', 'Z:I']);
    assert.deepEqual(await simple('INSERT INTO ib_t VALUES (11); DECLARE h CURSOR WITH HOLD FOR SELECT a FROM ib_t'),
      ['C:INSERT 0 1', 'C:DECLARE CURSOR', 'Z:I']);
    assert.deepEqual(await simple('FETCH h; CLOSE h'), ['T', 'D:11', 'C:FETCH 1', 'C:CLOSE CURSOR', 'Z:I']);
  });

  it('other sessions see nothing of it before its end (node-pg)', async () => {
    const client = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: TEST_DATABASE });
    await client.connect();
    try {
      // pg_sleep gives the other session time to look while the Query runs
      const query = client.query('INSERT INTO ib_t VALUES (12); SELECT pg_sleep(0.5); INSERT INTO ib_t VALUES (13)');
      await new Promise((resolve) => setTimeout(resolve, 250));
      assert.equal(await rows(), '');
      const results = await query as unknown as pg.QueryResult[];
      assert.deepEqual(results.map((r) => r.command), ['INSERT', 'SELECT', 'INSERT']);
      assert.equal(await rows(), '12,13');
      await assert.rejects(client.query('INSERT INTO ib_t VALUES (14); INSERT INTO ib_t VALUES (\'x\')'), { code: '22P02' });
      assert.equal(await rows(), '12,13');
    } finally {
      await client.end();
    }
  });
});

describe('a pipeline: Executes until Sync', () => {
  it('an error rolls back the Executes before it and skips the rest to Sync', async () => {
    assert.deepEqual(await run([...step('INSERT INTO ib_t VALUES (1)'), ...step(FAIL), ...step('INSERT INTO ib_t VALUES (2)'), serialize.sync()]),
      ['1', '2', 'C:INSERT 0 1', '1', '2', 'E:22012', 'Z:I']);
    assert.equal(await rows(), '');
  });

  it('a CREATE TABLE before a failing Execute is rolled back', async () => {
    assert.deepEqual(await run([...step('CREATE TABLE ib_new (b int)'), ...step('INSERT INTO ib_new VALUES (1)'), ...step(FAIL), serialize.sync()]),
      ['1', '2', 'C:CREATE TABLE', '1', '2', 'C:INSERT 0 1', '1', '2', 'E:22012', 'Z:I']);
    assert.deepEqual(await simple('SELECT * FROM ib_new'), ['E:42P01', 'Z:I']);
  });

  it('commits at Sync: other sessions see nothing before', async () => {
    c.write(Buffer.concat([...step('INSERT INTO ib_t VALUES (1)'), ...step('INSERT INTO ib_t VALUES (2)'), serialize.flush()]));
    await until('C');
    assert.deepEqual(summarize(await until('C')), ['1', '2', 'C:INSERT 0 1']);
    assert.equal(await rows(), '');
    assert.deepEqual(await run([serialize.sync()]), ['Z:I']);
    assert.equal(await rows(), '1,2');
  });

  it('each Sync ends one transaction: an error after a Sync leaves the earlier one committed', async () => {
    assert.deepEqual(await run([...step('INSERT INTO ib_t VALUES (1)'), serialize.sync(), ...step('INSERT INTO ib_t VALUES (2)'), ...step(FAIL), serialize.sync()], 2),
      ['1', '2', 'C:INSERT 0 1', 'Z:I', '1', '2', 'C:INSERT 0 1', '1', '2', 'E:22012', 'Z:I']);
    assert.equal(await rows(), '1');
  });

  it('COMMIT commits the Executes before it (warning), ROLLBACK undoes them (warning)', async () => {
    assert.deepEqual(await run([...step('INSERT INTO ib_t VALUES (1)'), ...step('COMMIT'), ...step('INSERT INTO ib_t VALUES (2)'), ...step('ROLLBACK'), ...step('INSERT INTO ib_t VALUES (3)'), ...step(FAIL), serialize.sync()]),
      ['1', '2', 'C:INSERT 0 1', '1', '2', 'N:there is no transaction in progress', 'C:COMMIT', '1', '2', 'C:INSERT 0 1', '1', '2', 'N:there is no transaction in progress', 'C:ROLLBACK',
        '1', '2', 'C:INSERT 0 1', '1', '2', 'E:22012', 'Z:I']);
    assert.equal(await rows(), '1');
  });

  it('BEGIN takes the Executes before it into the block', async () => {
    assert.deepEqual(await run([...step('INSERT INTO ib_t VALUES (1)'), ...step('BEGIN'), ...step('INSERT INTO ib_t VALUES (2)'), serialize.sync()]),
      ['1', '2', 'C:INSERT 0 1', '1', '2', 'C:BEGIN', '1', '2', 'C:INSERT 0 1', 'Z:T']);
    assert.equal(await rows(), '');
    assert.deepEqual(await run([...step('ROLLBACK'), serialize.sync()]), ['1', '2', 'C:ROLLBACK', 'Z:I']);
    assert.equal(await rows(), '');
  });

  it('is no transaction block: SAVEPOINT and DECLARE are refused, SET LOCAL warns but holds to Sync', async () => {
    assert.deepEqual(await run([...step('SELECT 1'), ...step('SAVEPOINT s'), serialize.sync()]),
      ['1', '2', 'D:1', 'C:SELECT 1', '1', '2', 'E:25P01', 'Z:I']);
    assert.deepEqual(await run([...step('SELECT 1'), ...step('DECLARE m CURSOR FOR SELECT 1'), serialize.sync()]),
      ['1', '2', 'D:1', 'C:SELECT 1', '1', '2', 'E:25P01', 'Z:I']);
    assert.deepEqual(await run([...step('SET LOCAL extra_float_digits = 3'), ...step('SHOW extra_float_digits'), serialize.sync()]),
      ['1', '2', 'N:SET LOCAL can only be used in transaction blocks', 'C:SET', '1', '2', 'D:3', 'C:SHOW', 'Z:I']);
    assert.deepEqual(await simple('SHOW extra_float_digits'), ['T', 'D:1', 'C:SHOW', 'Z:I']);
  });

  it('a WITH HOLD cursor declared before a failing Execute is dropped', async () => {
    assert.deepEqual(await run([...step('DECLARE h CURSOR WITH HOLD FOR SELECT 1'), ...step(FAIL), serialize.sync()]),
      ['1', '2', 'C:DECLARE CURSOR', '1', '2', 'E:22012', 'Z:I']);
    assert.deepEqual(await simple('FETCH h'), ['E:34000', 'Z:I']);
  });

  it('CREATE INDEX CONCURRENTLY and DISCARD ALL run as the first Execute after a Sync; after another: "cannot be executed within a pipeline"', async () => {
    c.write(Buffer.concat([...step('INSERT INTO ib_t VALUES (1)'), ...step('CREATE INDEX CONCURRENTLY ib_t_cic ON ib_t (a)'), serialize.sync()]));
    const frames = await c.untilReady();
    assert.deepEqual(summarize(frames), ['1', '2', 'C:INSERT 0 1', '1', '2', 'E:25001', 'Z:I']);
    assert.equal(errorFields(frames.find((f) => f.code === 'E')!.body)['M'], 'CREATE INDEX CONCURRENTLY cannot be executed within a pipeline');
    assert.deepEqual(await run([...step('CREATE INDEX CONCURRENTLY ib_t_cic ON ib_t (a)'), ...step('INSERT INTO ib_t VALUES (2)'), serialize.sync()]),
      ['1', '2', 'C:CREATE INDEX', '1', '2', 'C:INSERT 0 1', 'Z:I']);
    assert.equal(await rows(), '2');
    assert.deepEqual(await run([...step('SELECT 1'), ...step('DISCARD ALL'), serialize.sync()]), ['1', '2', 'D:1', 'C:SELECT 1', '1', '2', 'E:25001', 'Z:I']);
    assert.deepEqual(await run([...step('DISCARD ALL'), serialize.sync()]), ['1', '2', 'C:DISCARD ALL', 'Z:I']);
    assert.deepEqual(await simple('DROP INDEX ib_t_cic'), ['C:DROP INDEX', 'Z:I']);
  });

  it('VACUUM runs as the first Execute after a Sync, not after another one', async () => {
    assert.deepEqual(await run([...step('VACUUM ib_t'), serialize.sync()]), ['1', '2', 'C:VACUUM', 'Z:I']);
    assert.deepEqual(await run([...step('INSERT INTO ib_t VALUES (1)'), ...step('VACUUM ib_t'), serialize.sync()]),
      ['1', '2', 'C:INSERT 0 1', '1', '2', 'E:25001', 'Z:I']);
    assert.equal(await rows(), '');
  });
});
