/**
 * Golden plan tests (CockroachDB's testdata style): each file in test/plans/ is a list of
 * blocks separated by blank lines. A block is one SQL statement; a block with a `----`
 * line compares the statement's output (EXPLAIN's lines, or `ERROR: <sqlstate> <message>`)
 * with the lines after it; a block without one is set-up and must succeed.
 *
 * After a deliberate plan change, rewrite the expected output and review the diff:
 *   QUIVER_REWRITE_PLANS=1 node --test dist/test/golden-plans.test.js
 * These are Quiver's own plans (not PostgreSQL's output), hence not in sql-tests/.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startQuiver, TEST_DATABASE, type QuiverServer } from './support/server.js';

const PLANS_DIR = fileURLToPath(new URL('../../test/plans/', import.meta.url));
const REWRITE = process.env.QUIVER_REWRITE_PLANS === '1';

/** `comments`: the `#` lines before the block's SQL (kept when the file is rewritten) */
interface Block { sql: string; expected: string[] | null; comments: string[] }

/** Blocks and, between them, chunks of comments alone (as strings), in file order. */
function parseChunks(text: string): (Block | string)[] {
  return text.split(/\n\s*\n/).map((chunk) => chunk.replace(/^\n+|\n+$/g, '')).filter((c) => c.trim()).map((chunk) => {
    if (/^(#[^\n]*\n?)+$/.test(chunk)) return chunk;
    const all = chunk.split('\n');
    const comments = all.filter((l) => l.startsWith('#'));
    const lines = all.filter((l) => !l.startsWith('#'));
    const sep = lines.indexOf('----');
    return sep < 0 ? { sql: lines.join('\n'), expected: null, comments } : { sql: lines.slice(0, sep).join('\n'), expected: lines.slice(sep + 1), comments };
  });
}

function formatChunks(chunks: readonly (Block | string)[]): string {
  return chunks.map((b) => (typeof b === 'string' ? b : [...b.comments, b.sql, ...(b.expected ? ['----', ...b.expected] : [])].join('\n'))).join('\n\n') + '\n';
}

let server: QuiverServer;
let client: pg.Client;

before(async () => {
  server = await startQuiver();
  client = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: TEST_DATABASE });
  await client.connect();
});

after(async () => {
  await client?.end();
  await server?.stop();
});

async function output(sql: string): Promise<string[]> {
  try {
    // the plan's text as sent (FORMAT JSON's column is json, which node-pg would parse)
    const r = await client.query({ text: sql, types: { getTypeParser: () => (text: string) => text } });
    return r.rows.flatMap((row: Record<string, unknown>) => String(Object.values(row)[0]).split('\n'));
  } catch (e) {
    const err = e as { code?: string; message: string };
    return [`ERROR: ${err.code} ${err.message}`];
  }
}

for (const file of readdirSync(PLANS_DIR).filter((f) => f.endsWith('.txt')).sort()) {
  test(`plans/${file}`, async () => {
    const path = PLANS_DIR + file;
    const text = readFileSync(path, 'utf8');
    const chunks = parseChunks(text);
    const actual: (Block | string)[] = [];
    const mismatches: string[] = [];
    for (const b of chunks) {
      if (typeof b === 'string') { actual.push(b); continue; }
      const got = await output(b.sql);
      if (!b.expected) {
        if (got[0]?.startsWith('ERROR:')) assert.fail(`${file}: set-up statement failed: ${b.sql}\n${got[0]}`);
        actual.push(b);
        continue;
      }
      actual.push({ ...b, expected: got });
      if (got.join('\n') !== b.expected.join('\n')) mismatches.push(`${b.sql}\n--- expected\n${b.expected.join('\n')}\n--- got\n${got.join('\n')}`);
    }
    if (REWRITE) writeFileSync(path, formatChunks(actual));
    else assert.deepEqual(mismatches, [], `${file}: plans differ (QUIVER_REWRITE_PLANS=1 rewrites them)\n${mismatches.join('\n\n')}`);
  });
}
