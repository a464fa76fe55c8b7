/**
 * A COPY into a table with a generated to_tsvector column, and the ANALYZE it starts, do not
 * stall other sessions: the generated values are computed in the COPY's time-sliced loop
 * (engine/copy-statement.ts) and a tsvector column's statistics are not a sort of the sample
 * (planner/statistics.ts tsvectorStatistics). Another connection's SELECT 1, sent every few
 * ms while the COPY runs and for a while after, never waits long compared with the COPY's
 * own tokenizing time (before: the whole of it, 1.9 s for 60,000 man-page paragraphs).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { seededRandom } from '../bench/util.js';
import { connectClient, startQuiver, type QuiverServer } from './support/server.js';

const WORDS = ('running connections configured directories printing options networking archives compressed '
  + 'filesystems mounted devices terminals processes signals handlers libraries manuals sections describes '
  + 'the a of and to in is for with on by that this are be as from').split(' ');

let server: QuiverServer | undefined;
after(async () => { await server?.stop(); });

test('other sessions are answered while a COPY computes a generated tsvector column, and during the ANALYZE after it', async (t) => {
  server = await startQuiver();
  const c = await connectClient(server);
  const probe = await connectClient(server);
  try {
    await c.query(`CREATE TABLE gen_docs (id int PRIMARY KEY, body text, tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED)`);
    const r = seededRandom(3);
    const docs = Array.from({ length: 40_000 }, () => Array.from({ length: 30 + Math.floor(r() * 40) }, () => WORDS[Math.floor(r() * WORDS.length)]).join(' '));
    let stop = false;
    let longest = 0;
    let answered = 0;
    const loop = (async () => {
      while (!stop) {
        const t0 = performance.now();
        await probe.query('SELECT 1');
        longest = Math.max(longest, performance.now() - t0);
        answered++;
        await new Promise((res) => setTimeout(res, 5));
      }
    })();
    const t0 = performance.now();
    await pipeline(Readable.from((function* () {
      for (let i = 0; i < docs.length; i += 1000) yield docs.slice(i, i + 1000).map((d, j) => `${i + j}\t${d}\n`).join('');
    })()), c.query(copyFrom('COPY gen_docs (id, body) FROM STDIN')));
    const copyMs = performance.now() - t0;
    // the automatic ANALYZE starts about a second after a bulk load
    await new Promise((res) => setTimeout(res, 3000));
    stop = true;
    await loop;
    // the tokenizing alone, for comparison: what a stall would have been
    const t1 = performance.now();
    await c.query(`SELECT count(to_tsvector('english', body || ' ')) FROM gen_docs`);
    const tokenizeMs = performance.now() - t1;
    t.diagnostic(`COPY ${copyMs.toFixed(0)} ms, tokenizing ${tokenizeMs.toFixed(0)} ms, ${answered} SELECT 1 answered, longest ${longest.toFixed(0)} ms`);
    assert.equal((await c.query('SELECT count(*)::int AS n FROM gen_docs WHERE tsv @@ to_tsquery(\'english\', \'connection\')')).rows[0].n > 0, true);
    assert.ok(longest < tokenizeMs / 3, `longest SELECT 1 ${longest.toFixed(0)} ms, the COPY's tokenizing ${tokenizeMs.toFixed(0)} ms`);
    await c.query('DROP TABLE gen_docs');
  } finally {
    await c.end();
    await probe.end();
  }
});
