/**
 * Does building GIN posting lists stall the server? `SELECT 1` latency on a second
 * connection (one probe every few ms) while, on the first connection:
 *
 *   create-expr   CREATE INDEX … USING gin (to_tsvector('english', body)) over N loaded rows
 *                 (the growing rows are sealed, then their lists built: tokenizing every row)
 *   create-tsv    CREATE INDEX … USING gin (tsv) over the same, now sealed, rows
 *   load-plain    COPY of N rows into a table without GIN index (what the COPY itself costs)
 *   load-gin      COPY of N rows into a table with both GIN indexes: its segments are sealed
 *                 (at 16,384 rows) and their lists built while the COPY goes on; probed until
 *                 `--settle` seconds after the COPY
 *
 * The longest `SELECT 1` and its p99 are the longest stall of the event loop that a
 * session saw. Documents: paragraphs of the manual pages Debian ships (man-corpus.ts).
 *
 *   node dist/bench/gin-build-stall.js [--target quiver] [--docs 60000] [--settle 8]
 */
import { parseArgs } from 'node:util';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type pg from 'pg';
import { targetFromArg, type SqlTarget } from './targets.js';
import { repoRoot } from './util.js';
import { probedSelect1 } from './probe-select1.js';
import { manCorpus } from './man-corpus.js';

const { values } = parseArgs({
  options: {
    target: { type: 'string', default: 'quiver' },
    docs: { type: 'string', default: '60000' },
    man: { type: 'string', default: '/usr/share/man/man1' },
    settle: { type: 'string', default: '8' },
    interval: { type: 'string', default: '5' },
  },
});

const TABLE = (name: string) => `CREATE TABLE ${name} (id int PRIMARY KEY, body text,
  tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED)`;

async function copyDocs(c: pg.Client, table: string, docs: readonly string[]): Promise<void> {
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/\t/g, ' ').replace(/\n/g, ' ');
  await pipeline(Readable.from((function* () {
    for (let i = 0; i < docs.length; i += 1000) yield docs.slice(i, i + 1000).map((d, j) => `${i + j}\t${esc(d)}\n`).join('');
  })()), c.query(copyFrom(`COPY ${table} (id, body) FROM STDIN`)));
}

const probed = (target: SqlTarget, work: () => Promise<unknown>, settleMs = 0) => probedSelect1(target, work, Number(values.interval), settleMs);

async function main(): Promise<void> {
  const docs = manCorpus(values.man!, Number(values.docs));
  console.log(`corpus: ${docs.length} paragraphs from ${values.man}`);
  const target = await targetFromArg(values.target!, repoRoot());
  const c = await target.connect();
  try {
    for (const t of ['stall_a', 'stall_b', 'stall_c']) await c.query(`DROP TABLE IF EXISTS ${t}`);
    await c.query(TABLE('stall_a'));
    await copyDocs(c, 'stall_a', docs);
    // the ANALYZE a bulk load starts in the background is not what is measured
    await sleep(Number(values.settle) * 1000);
    console.log(`create-expr: ${await probed(target, async () => { await c.query(`CREATE INDEX stall_a_body ON stall_a USING gin (to_tsvector('english', body))`); })}`);
    console.log(`create-tsv:  ${await probed(target, async () => { await c.query('CREATE INDEX stall_a_tsv ON stall_a USING gin (tsv)'); })}`);
    const settle = Number(values.settle) * 1000;
    await c.query(TABLE('stall_b'));
    console.log(`load-plain:  ${await probed(target, () => copyDocs(c, 'stall_b', docs), settle)}`);
    await c.query(TABLE('stall_c'));
    await c.query('CREATE INDEX stall_c_tsv ON stall_c USING gin (tsv)');
    await c.query(`CREATE INDEX stall_c_body ON stall_c USING gin (to_tsvector('english', body))`);
    console.log(`load-gin:    ${await probed(target, () => copyDocs(c, 'stall_c', docs), settle)}`);
    if (target.kind === 'postgres') for (const t of ['stall_a', 'stall_b', 'stall_c']) await c.query(`DROP TABLE ${t}`);
  } finally {
    await c.end().catch(() => {});
    await target.stop();
  }
}

if (process.argv[1]?.endsWith('gin-build-stall.js')) await main();
