/**
 * Does the first ordered read through an expression index stall the server? `SELECT 1`
 * latency on a second connection (one probe every few ms) while the first connection runs,
 * on N rows loaded by COPY (sealed segments):
 *
 *   first-order   SELECT … ORDER BY lower(s) LIMIT 3 right after CREATE INDEX … (lower(s)):
 *                 each sealed segment's key order is made now (the function over every row,
 *                 then a sort)
 *   again         the same query, the orders made
 *   first-range   SELECT count(*) … WHERE (n + 1) BETWEEN … on a fresh ((n + 1)) index
 *
 *   node dist/bench/expression-order-stall.js [--rows 200000]
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

const { values } = parseArgs({
  options: {
    target: { type: 'string', default: 'quiver' },
    rows: { type: 'string', default: '200000' },
    settle: { type: 'string', default: '6' },
    interval: { type: 'string', default: '5' },
  },
});

const probed = (target: SqlTarget, work: () => Promise<unknown>) => probedSelect1(target, work, Number(values.interval));

async function main(): Promise<void> {
  const n = Number(values.rows);
  const target = await targetFromArg(values.target!, repoRoot());
  const c: pg.Client = await target.connect();
  try {
    await c.query('DROP TABLE IF EXISTS eos');
    await c.query('CREATE TABLE eos (id int PRIMARY KEY, s text, n int)');
    await pipeline(Readable.from((function* () {
      for (let i = 0; i < n; i += 1000) {
        let chunk = '';
        for (let j = i; j < Math.min(n, i + 1000); j++) chunk += `${j}\tName-${(j * 7919) % n}-X\t${(j * 104729) % n}\n`;
        yield chunk;
      }
    })()), c.query(copyFrom('COPY eos FROM STDIN')));
    await sleep(Number(values.settle) * 1000);
    await c.query('CREATE INDEX eos_lower ON eos (lower(s))');
    await c.query('CREATE INDEX eos_n1 ON eos ((n + 1))');
    await sleep(1000);
    console.log(`first-order: ${await probed(target, () => c.query('SELECT id FROM eos ORDER BY lower(s) LIMIT 3'))}`);
    console.log(`again:       ${await probed(target, () => c.query('SELECT id FROM eos ORDER BY lower(s) LIMIT 3'))}`);
    console.log(`first-range: ${await probed(target, () => c.query(`SELECT count(*) FROM eos WHERE (n + 1) BETWEEN 1000 AND 1100`))}`);
    await c.query('DROP TABLE eos');
  } finally {
    await c.end().catch(() => {});
    await target.stop();
  }
}

if (process.argv[1]?.endsWith('expression-order-stall.js')) await main();
