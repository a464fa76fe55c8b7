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

interface Block { sql: string; expected: string[] | null }

function parseBlocks(text: string): Block[] {
  return text.split(/\n\s*\n/).map((chunk) => chunk.replace(/^\n+|\n+$/g, '')).filter((c) => c.trim() && !/^(#[^\n]*\n?)+$/.test(c)).map((chunk) => {
    const lines = chunk.split('\n').filter((l) => !l.startsWith('#'));
    const sep = lines.indexOf('----');
    return sep < 0 ? { sql: lines.join('\n'), expected: null } : { sql: lines.slice(0, sep).join('\n'), expected: lines.slice(sep + 1) };
  });
}

function formatBlocks(blocks: readonly Block[], header: string): string {
  return header + blocks.map((b) => (b.expected ? `${b.sql}\n----\n${b.expected.join('\n')}` : b.sql)).join('\n\n') + '\n';
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
    const r = await client.query(sql);
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
    const header = (/^(#[^\n]*\n)+\n?/.exec(text)?.[0] ?? '');
    const blocks = parseBlocks(text);
    const actual: Block[] = [];
    const mismatches: string[] = [];
    for (const b of blocks) {
      const got = await output(b.sql);
      if (!b.expected) {
        if (got[0]?.startsWith('ERROR:')) assert.fail(`${file}: set-up statement failed: ${b.sql}\n${got[0]}`);
        actual.push(b);
        continue;
      }
      actual.push({ sql: b.sql, expected: got });
      if (got.join('\n') !== b.expected.join('\n')) mismatches.push(`${b.sql}\n--- expected\n${b.expected.join('\n')}\n--- got\n${got.join('\n')}`);
    }
    if (REWRITE) writeFileSync(path, formatBlocks(actual, header));
    else assert.deepEqual(mismatches, [], `${file}: plans differ (QUIVER_REWRITE_PLANS=1 rewrites them)\n${mismatches.join('\n\n')}`);
  });
}
