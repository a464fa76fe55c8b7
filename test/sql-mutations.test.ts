/**
 * No XX000 from user input: every statement of every sql-tests/*.sql file is run as written
 * and in a few randomly mutated forms (a token dropped or duplicated, two literals swapped,
 * a literal replaced by NULL / '' / a huge number). Bad input must get a PostgreSQL-style
 * error with a proper SQLSTATE; an internal error (XX000) or a lost connection is a bug.
 *
 * The mutations come from a fixed-seed PRNG, so a failure is reproducible. Tune with
 * SQL_MUTATIONS=<per statement> and SQL_MUTATIONS_SEED=<n>; SQL_TESTS=a,b limits the files.
 */
import { seededRandom } from '../bench/util.js';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import * as libpg from 'libpg-query';
import type { ScanToken } from 'libpg-query';
import { startQuiver, REPO_ROOT } from './support/server.js';
import type { QuiverServer } from './support/server.js';

const SQL_DIR = join(REPO_ROOT, 'sql-tests');
const MUTATIONS_PER_STATEMENT = Number(process.env.SQL_MUTATIONS ?? 4);
const SEED = Number(process.env.SQL_MUTATIONS_SEED ?? 20261204);
const STATEMENT_TIMEOUT_MS = 2000;

/**
 * XX000s found by this test and not fixed yet, by the exact statement text: each one is a
 * bug to fix, listed so that the test still fails on any new one.
 */
const KNOWN_XX000: ReadonlyMap<string, string> = new Map<string, string>([
]);

const only = process.env.SQL_TESTS?.split(',').map((s) => s.trim()).filter(Boolean);
const names = readdirSync(SQL_DIR)
  .filter((f) => f.endsWith('.sql'))
  .map((f) => f.slice(0, -'.sql'.length))
  .filter((n) => !only || only.includes(n))
  .sort();

/** mulberry32 (bench/util.ts): a tiny seeded PRNG, so every run mutates the same way. */
const mulberry32 = seededRandom;

/**
 * The file's SQL without psql's meta-commands (\set, \d, …) and without COPY FROM stdin
 * statements and their data blocks (node-pg has no stream to feed them).
 */
function stripPsql(text: string): string {
  const out: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*\\/.test(line)) continue;
    if (/\bfrom\s+stdin\b/i.test(line)) {
      while (i < lines.length && lines[i].trim() !== '\\.') i++;
      continue;
    }
    out.push(line);
  }
  return out.join('\n');
}

const isComment = (t: ScanToken) => t.tokenName === 'SQL_COMMENT' || t.tokenName === 'C_COMMENT';

/** Statements of a script, split at top-level semicolons by PostgreSQL's own scanner. */
function splitScript(sql: string): string[] {
  const tokens = libpg.scanSync(sql).tokens;
  const stmts: string[] = [];
  let start = -1;
  let end = -1;
  for (const t of tokens) {
    if (isComment(t)) continue;
    if (t.text === ';') {
      if (start >= 0) stmts.push(sql.slice(start, end));
      start = -1;
      continue;
    }
    if (start < 0) start = t.start;
    end = t.end;
  }
  if (start >= 0) stmts.push(sql.slice(start, end));
  return stmts;
}

const LITERALS = new Set(['ICONST', 'FCONST', 'SCONST', 'BCONST', 'XCONST', 'USCONST']);
const REPLACEMENTS = ['NULL', "''", '99999999999999999999999', '-2147483649', "'NaN'", '0'];

/** One or (sometimes) two random mutations of a statement (undefined when its tokens allow none). */
function mutate(stmt: string, rand: () => number): string | undefined {
  const once = mutateOnce(stmt, rand);
  return once !== undefined && rand() < 0.25 ? mutateOnce(once, rand) ?? once : once;
}

/** One random change at the token level (undefined when its tokens allow none). */
function mutateOnce(stmt: string, rand: () => number): string | undefined {
  let tokens: ScanToken[];
  try {
    tokens = libpg.scanSync(stmt).tokens.filter((t) => !isComment(t));
  } catch {
    return undefined;
  }
  if (tokens.length === 0) return undefined;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const literals = tokens.filter((t) => LITERALS.has(t.tokenName));
  const splice = (s: number, e: number, text: string) => stmt.slice(0, s) + text + stmt.slice(e);
  switch (Math.floor(rand() * 6)) {
    case 0: {
      const t = pick(tokens);
      return splice(t.start, t.end, '');
    }
    case 1: {
      const t = pick(tokens);
      return splice(t.end, t.end, ' ' + t.text);
    }
    case 2: {
      if (literals.length < 2) return undefined;
      const a = pick(literals);
      const b = pick(literals);
      if (a === b || a.text === b.text) return undefined;
      const [first, second] = a.start < b.start ? [a, b] : [b, a];
      return stmt.slice(0, first.start) + second.text + stmt.slice(first.end, second.start) + first.text + stmt.slice(second.end);
    }
    case 3: {
      // two neighbouring tokens swapped: `a.b` → `.ab`, `int[]` → `[int]`, …
      if (tokens.length < 2) return undefined;
      const i = Math.floor(rand() * (tokens.length - 1));
      const [a, b] = [tokens[i], tokens[i + 1]];
      return stmt.slice(0, a.start) + b.text + stmt.slice(a.end, b.start) + a.text + stmt.slice(b.end);
    }
    case 4: {
      // a token replaced by another one of the same statement (a type by a column name, …)
      const t = pick(tokens);
      return splice(t.start, t.end, pick(tokens).text);
    }
    default: {
      if (literals.length === 0) return undefined;
      const t = pick(literals);
      return splice(t.start, t.end, pick(REPLACEMENTS));
    }
  }
}

interface Finding { file: string; statement: string; message: string }

let server: QuiverServer | undefined;
const findings: Finding[] = [];

before(async () => {
  await libpg.loadModule();
  server = await startQuiver();
});

after(async () => {
  await server?.stop();
});

async function connect(database: string): Promise<pg.Client> {
  const client = new pg.Client({ host: server!.host, port: server!.port, user: 'postgres', database });
  client.on('error', () => {}); // a lost connection is reported by the failing query
  await client.connect();
  await client.query(`SET statement_timeout = ${STATEMENT_TIMEOUT_MS}`);
  return client;
}

/** Run one statement; a lost connection is recorded and answered with a fresh client. */
async function runOne(client: pg.Client, database: string, file: string, statement: string): Promise<pg.Client> {
  try {
    await client.query(statement);
    return client;
  } catch (e) {
    const err = e as { code?: string; message?: string };
    if (err.code === 'XX000') {
      if (!KNOWN_XX000.has(statement)) findings.push({ file, statement, message: err.message ?? '' });
      return client;
    }
    if (err.code === undefined) {
      findings.push({ file, statement, message: `connection lost: ${err.message}` });
      await client.end().catch(() => {});
      try {
        return await connect(database);
      } catch (e2) {
        throw new Error(`server gone after: ${statement}\n${server!.stderr().slice(-2000)}`, { cause: e2 });
      }
    }
    // Leave an aborted transaction block so the next statements do run.
    if (err.code !== '25P02') await client.query('SELECT 1').catch(async (e2: { code?: string }) => {
      if (e2.code === '25P02') await client.query('ROLLBACK');
    });
    return client;
  }
}

for (const name of names) {
  test(`sql-mutations: ${name}`, async () => {
    assert.ok(server, 'Quiver server did not start');
    const database = `mut_${name}`;
    const admin = await connect('postgres');
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    let client = await connect(database);
    await client.query('CREATE EXTENSION vector');
    const rand = mulberry32(SEED ^ [...name].reduce((h, c) => Math.imul(h, 31) + c.charCodeAt(0), 7));
    const earlier = findings.length;
    for (const statement of splitScript(stripPsql(readFileSync(join(SQL_DIR, `${name}.sql`), 'utf8')))) {
      client = await runOne(client, database, name, statement);
      for (let i = 0; i < MUTATIONS_PER_STATEMENT; i++) {
        const mutated = mutate(statement, rand);
        if (mutated !== undefined && mutated.trim() !== '') client = await runOne(client, database, name, mutated);
      }
    }
    await client.end().catch(() => {});
    const mine = findings.slice(earlier);
    assert.deepEqual(mine.map((f) => `${f.statement}\n  → ${f.message}`), [], `XX000 or lost connection in ${name}`);
  });
}
