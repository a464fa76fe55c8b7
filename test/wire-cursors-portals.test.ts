/**
 * Cursors, portals and binary COPY at the protocol level, answered as PostgreSQL 15 does
 * (every expected message list below was recorded from the reference server with the same
 * messages): DECLARE in a multi-statement simple Query (its implicit transaction block), an
 * Execute of a finished portal (SELECT 0 / FETCH 0 / INSERT 0 0), a row-limited Execute that
 * takes exactly the rows left (PortalSuspended), portals dropped with the block that a
 * simple Query ends, and COPY … FROM STDIN (FORMAT binary) without its trailer.
 * Check the expectations on PostgreSQL: QUIVER_TEST_PORT=55432 QUIVER_TEST_DATABASE=bench.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { serialize } from 'pg-protocol';
import { startQuiver, TEST_DATABASE, type QuiverServer } from './support/server.js';
import { RawClient, summarize } from './wire-fake-backend.js';

let server: QuiverServer;
let c: RawClient;

async function run(messages: Buffer[]): Promise<string[]> {
  c.write(Buffer.concat(messages));
  // RowDescription and ParseComplete / BindComplete codes stay as their letters (T, 1, 2)
  return summarize(await c.untilReady());
}

const simple = (sql: string): Promise<string[]> => run([serialize.query(sql)]);

before(async () => {
  server = await startQuiver({ args: ['--query-workers', '0'] });
  c = await RawClient.connect(server.port);
  c.write(serialize.startup({ user: 'postgres', database: TEST_DATABASE }));
  await c.untilReady();
  await simple('CREATE TABLE wcp_t (id int); INSERT INTO wcp_t SELECT g FROM generate_series(1, 8) g');
});

after(async () => {
  if (c) await simple('DROP TABLE wcp_t');
  c?.end();
  await server?.stop();
});

describe('DECLARE in a multi-statement simple Query (PostgreSQL\'s implicit transaction block)', () => {
  it('runs, and the cursor closes with the Query', async () => {
    assert.deepEqual(await simple('DECLARE m CURSOR FOR SELECT id FROM wcp_t ORDER BY id; FETCH 2 FROM m; MOVE 3 FROM m; FETCH m'),
      ['C:DECLARE CURSOR', 'T', 'D:1', 'D:2', 'C:FETCH 2', 'C:MOVE 3', 'T', 'D:6', 'C:FETCH 1', 'Z:I']);
    assert.deepEqual(await simple('FETCH m'), ['E:34000', 'Z:I']);
  });

  it('alone (one statement, no block) it is still 25P01', async () => {
    assert.deepEqual(await simple('DECLARE m CURSOR FOR SELECT 1'), ['E:25P01', 'Z:I']);
  });

  it('with BEGIN … COMMIT in the Query, the cursor lives until the COMMIT', async () => {
    assert.deepEqual(await simple('BEGIN; DECLARE m CURSOR FOR SELECT id FROM wcp_t ORDER BY id; FETCH 2 FROM m; COMMIT'),
      ['C:BEGIN', 'C:DECLARE CURSOR', 'T', 'D:1', 'D:2', 'C:FETCH 2', 'C:COMMIT', 'Z:I']);
    assert.deepEqual(await simple('FETCH m'), ['E:34000', 'Z:I']);
  });

  it('a COMMIT in the Query ends the implicit block and its cursors (with a warning)', async () => {
    assert.deepEqual(await simple('SELECT 1 AS one; DECLARE m CURSOR FOR SELECT 2; COMMIT; FETCH m'),
      ['T', 'D:1', 'C:SELECT 1', 'C:DECLARE CURSOR', 'N:there is no transaction in progress', 'C:COMMIT', 'E:34000', 'Z:I']);
  });

  it('a BEGIN in the Query makes the block a real one: the cursor goes on after the Query', async () => {
    assert.deepEqual(await simple('DECLARE m CURSOR FOR SELECT id FROM wcp_t ORDER BY id; BEGIN; FETCH 2 FROM m'),
      ['C:DECLARE CURSOR', 'C:BEGIN', 'T', 'D:1', 'D:2', 'C:FETCH 2', 'Z:T']);
    assert.deepEqual(await simple('FETCH m'), ['T', 'D:3', 'C:FETCH 1', 'Z:T']);
    assert.deepEqual(await simple('COMMIT'), ['C:COMMIT', 'Z:I']);
  });
});

describe('Execute of a portal that returned all its rows', () => {
  const again = (text: string, first: number): Buffer[] => [
    serialize.parse({ text }),
    serialize.bind({ portal: 'p' }),
    serialize.execute({ portal: 'p', rows: first }),
    serialize.execute({ portal: 'p' }),
    serialize.execute({ portal: 'p', rows: 1 }),
    serialize.sync(),
  ];

  it('answers SELECT 0 each time', async () => {
    assert.deepEqual(await run(again('SELECT id FROM wcp_t WHERE id <= 2 ORDER BY id', 0)), ['1', '2', 'D:1', 'D:2', 'C:SELECT 2', 'C:SELECT 0', 'C:SELECT 0', 'Z:I']);
  });

  it('a row-limited Execute that takes exactly the rows left is suspended; the next answers SELECT 0', async () => {
    assert.deepEqual(await simple('BEGIN'), ['C:BEGIN', 'Z:T']);
    assert.deepEqual(await run(again('SELECT id FROM wcp_t WHERE id <= 2 ORDER BY id', 2)), ['1', '2', 'D:1', 'D:2', 's', 'C:SELECT 0', 'C:SELECT 0', 'Z:T']);
    // the portal goes with the block this simple Query ends: its name is free again
    assert.deepEqual(await simple('ROLLBACK'), ['C:ROLLBACK', 'Z:I']);
    assert.deepEqual(await run(again('VALUES (1), (2)', 0)), ['1', '2', 'D:1', 'D:2', 'C:SELECT 2', 'C:SELECT 0', 'C:SELECT 0', 'Z:I']);
  });

  it('other commands answer their tag with a count of 0 (INSERT 0 0, FETCH 0; SHOW has none)', async () => {
    assert.deepEqual(await run(again('SHOW search_path', 0)), ['1', '2', 'D:"$user", public', 'C:SHOW', 'C:SHOW', 'C:SHOW', 'Z:I']);
    assert.deepEqual(await simple('BEGIN'), ['C:BEGIN', 'Z:T']);
    assert.deepEqual(await run(again('INSERT INTO wcp_t VALUES (20), (21) RETURNING id', 0)), ['1', '2', 'D:20', 'D:21', 'C:INSERT 0 2', 'C:INSERT 0 0', 'C:INSERT 0 0', 'Z:T']);
    assert.deepEqual(await simple('DECLARE cc CURSOR FOR SELECT 1'), ['C:DECLARE CURSOR', 'Z:T']);
    assert.deepEqual(await run([serialize.parse({ text: 'FETCH 2 cc' }), serialize.bind({ portal: 'f' }), serialize.execute({ portal: 'f' }), serialize.execute({ portal: 'f' }), serialize.sync()]),
      ['1', '2', 'D:1', 'C:FETCH 1', 'C:FETCH 0', 'Z:T']);
    assert.deepEqual(await simple('ROLLBACK'), ['C:ROLLBACK', 'Z:I']);
  });
});

describe('COPY … FROM STDIN (FORMAT binary)', () => {
  const header = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
  const tuple = (v: number): Buffer => {
    const b = Buffer.alloc(10);
    b.writeInt16BE(1, 0);
    b.writeInt32BE(4, 2);
    b.writeInt32BE(v, 6);
    return b;
  };
  const trailer = Buffer.from([0xff, 0xff]);
  const copy = (data: Buffer[]): Promise<string[]> =>
    run([serialize.query('COPY wcp_b FROM STDIN (FORMAT binary)'), ...data.map((d) => serialize.copyData(d)), serialize.copyDone()]);

  it('takes data that ends without the trailer; refuses data after it', async () => {
    assert.deepEqual(await simple('CREATE TABLE wcp_b (a int)'), ['C:CREATE TABLE', 'Z:I']);
    try {
      assert.deepEqual(await copy([header, tuple(1), tuple(2)]), ['G', 'C:COPY 2', 'Z:I']);
      assert.deepEqual(await copy([header]), ['G', 'C:COPY 0', 'Z:I']);
      assert.deepEqual(await copy([header, tuple(3), trailer]), ['G', 'C:COPY 1', 'Z:I']);
      assert.deepEqual(await copy([header, tuple(4), trailer, Buffer.from([0])]), ['G', 'E:22P04', 'Z:I']);
      assert.deepEqual(await simple('SELECT a FROM wcp_b ORDER BY a'), ['T', 'D:1', 'D:2', 'D:3', 'C:SELECT 3', 'Z:I']);
    } finally {
      await simple('DROP TABLE wcp_b');
    }
  });
});
