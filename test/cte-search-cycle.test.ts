/**
 * WITH RECURSIVE … SEARCH / CYCLE: PostgreSQL rewrites them into the query over arrays of
 * records, which Quiver cannot compare yet. They are refused with 0A000, not ignored (they
 * were: the ordering / cycle columns were silently left out and a cycle ran until the
 * recursion's own limit).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connectClient, startQuiver, type QuiverServer } from './support/server.js';

let server: QuiverServer;
before(async () => { server = await startQuiver(); });
after(async () => { await server?.stop(); });

test('SEARCH and CYCLE clauses are refused with 0A000; the plain recursive query runs', async () => {
  const c = await connectClient(server);
  try {
    const base = 'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3)';
    for (const [clause, word] of [['SEARCH DEPTH FIRST BY n SET ord', 'SEARCH'], ['SEARCH BREADTH FIRST BY n SET ord', 'SEARCH'], ['CYCLE n SET is_cycle USING path', 'CYCLE']]) {
      await assert.rejects(c.query(`${base} ${clause} SELECT * FROM t`), (e: { code?: string; message?: string }) => {
        assert.equal(e.code, '0A000');
        assert.equal(e.message, `${word} clauses of WITH queries are not supported`);
        return true;
      });
    }
    assert.deepEqual((await c.query(`${base} SELECT * FROM t`)).rows, [{ n: 1 }, { n: 2 }, { n: 3 }]);
  } finally {
    await c.end();
  }
});
