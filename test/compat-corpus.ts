/**
 * The client corpus (/work/shared/client-corpus/<client>.sql) as data: entries with the
 * action that sent them, the protocol, bound parameters and the statement text; plus a
 * replay that runs them through node-pg against two servers and reports where Quiver's
 * answers differ from PostgreSQL's (error vs success, column names/types, row counts, rows).
 *
 * As a tool (not a test): `node dist/test/compat-corpus.js [client ...]` with
 * COMPAT_REF_PORT (default 55432, real PostgreSQL) and COMPAT_QUIVER_PORT (default 5491).
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';

export const CORPUS_DIR = process.env.COMPAT_CORPUS ?? '/work/shared/client-corpus';

export interface CorpusEntry {
  readonly action: string;
  readonly protocol: string;
  readonly params: string[] | undefined;
  readonly serverError: string | undefined;
  readonly sql: string;
}

/** `$1 = 'a', $2 = NULL` → ['a', null] (server-log quoting: '' inside quotes). */
export function parseParams(line: string): (string | null)[] {
  const out: (string | null)[] = [];
  const re = /\$\d+ = (?:NULL|'((?:[^']|'')*)')/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] === undefined ? null : m[1].replace(/''/g, "'"));
  return out;
}

export function readCorpus(client: string): CorpusEntry[] {
  const text = readFileSync(`${CORPUS_DIR}/${client}.sql`, 'utf8');
  const entries: CorpusEntry[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const lines = block.split('\n');
    let action = '';
    let protocol = '';
    let params: string[] | undefined;
    let serverError: string | undefined;
    const body: string[] = [];
    for (const l of lines) {
      if (body.length === 0 && l.startsWith('-- ')) {
        if (l.startsWith('-- action: ')) action = l.slice(11);
        else if (l.startsWith('-- protocol: ')) protocol = l.slice(13);
        else if (l.startsWith('-- params: ')) params = parseParams(l.slice(11)) as string[];
        else if (l.startsWith('-- server error: ')) serverError = l.slice(17);
        continue;
      }
      body.push(l);
    }
    const sql = body.join('\n').trim();
    if (!action || !sql) continue;
    entries.push({ action, protocol, params, serverError, sql });
  }
  return entries;
}

export const FIXTURE = `
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE items (id bigserial PRIMARY KEY, content text NOT NULL, category text, embedding vector(3));
CREATE INDEX items_embedding_idx ON items USING hnsw (embedding vector_l2_ops);
CREATE INDEX items_category_idx ON items (category);
INSERT INTO items (content, category, embedding) VALUES
 ('apple', 'fruit', '[1,0,0]'), ('banana', 'fruit', '[0.9,0.1,0]'), ('carrot', 'veg', '[0,1,0]'),
 ('daikon', 'veg', '[0,0.9,0.1]'), ('eggplant', 'veg', '[0.1,0.8,0.2]'), ('fig', 'fruit', '[0.8,0,0.3]');
COMMENT ON TABLE items IS 'demo items with embeddings';
`;

export interface Outcome {
  error?: { code: string; message: string };
  fields?: { name: string; type: number }[];
  rows?: (string | null)[][];
  command?: string;
}

const rawTypes = { getTypeParser: () => (v: string) => v };

export async function connect(port: number, database: string): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database, types: rawTypes as never, connectionTimeoutMillis: 10000 });
  c.on('error', () => {});
  c.on('notice', () => {});
  await c.connect();
  return c;
}

export async function recreateDatabase(port: number, database: string, fixture = FIXTURE): Promise<void> {
  const admin = await connect(port, 'postgres');
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  const c = await connect(port, database);
  try {
    for (const stmt of fixture.split(';\n').map((s) => s.trim()).filter(Boolean)) await c.query(stmt).catch(() => {});
  } finally {
    await c.end();
  }
}

export async function run(c: pg.Client, e: CorpusEntry): Promise<Outcome | Outcome[]> {
  try {
    const extended = e.protocol.startsWith('extended');
    const r = await c.query({ text: e.sql, values: e.params, rowMode: 'array', ...(extended ? { queryMode: 'extended' } : {}) } as never);
    const one = (x: pg.QueryResult): Outcome => ({ command: x.command, fields: x.fields.map((f) => ({ name: f.name, type: f.dataTypeID })), rows: x.rows as never });
    return Array.isArray(r) ? (r as pg.QueryResult[]).map(one) : one(r as pg.QueryResult);
  } catch (err) {
    const x = err as { code?: string; message: string };
    return { error: { code: x.code ?? 'client', message: x.message } };
  }
}

/** user type OIDs (vector) differ between servers: compare them as "user type" */
function normType(t: number): number {
  return t >= 16384 ? 16384 : t;
}

export function compare(ref: Outcome | Outcome[], got: Outcome | Outcome[]): string[] {
  const a = Array.isArray(ref) ? ref : [ref];
  const b = Array.isArray(got) ? got : [got];
  const diffs: string[] = [];
  if (a.length !== b.length && !a.some((x) => x.error) && !b.some((x) => x.error)) diffs.push(`result count ${a.length} vs ${b.length}`);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const r = a[i];
    const q = b[i];
    if (r.error || q.error) {
      if (!r.error) diffs.push(`Quiver error ${q.error!.code}: ${q.error!.message}`);
      else if (!q.error) diffs.push(`PG error ${r.error.code} (${r.error.message}) but Quiver succeeded`);
      else if (r.error.code !== q.error.code || r.error.message !== q.error.message) diffs.push(`error differs: PG ${r.error.code} ${r.error.message} | Quiver ${q.error.code} ${q.error.message}`);
      continue;
    }
    const rf = (r.fields ?? []).map((f) => `${f.name}:${normType(f.type)}`).join(',');
    const qf = (q.fields ?? []).map((f) => `${f.name}:${normType(f.type)}`).join(',');
    if (rf !== qf) diffs.push(`columns: PG ${rf} | Quiver ${qf}`);
    if (r.command !== q.command) diffs.push(`command: PG ${r.command} | Quiver ${q.command}`);
    const rr = r.rows ?? [];
    const qr = q.rows ?? [];
    if (rr.length !== qr.length) diffs.push(`rows: PG ${rr.length} | Quiver ${qr.length}`);
    else {
      const rs = rr.map((x) => JSON.stringify(x));
      const qs = qr.map((x) => JSON.stringify(x));
      const k = rs.findIndex((x, j) => x !== qs[j]);
      if (k >= 0) diffs.push(`row ${k}: PG ${rs[k].slice(0, 300)} | Quiver ${qs[k].slice(0, 300)}`);
    }
  }
  return diffs;
}

/** statements that take the whole Quiver server down today (see /tmp/lead-todo.md C2) */
const KNOWN_SERVER_KILLERS = 'pg_catalog\\.generate_series\\(1, 32\\) pos\\(n\\)';

export const CLIENTS = ['psql', 'node-pg', 'postgres-js', 'jdbc', 'psycopg', 'sqlalchemy', 'drizzle', 'knex', 'typeorm', 'sequelize', 'kysely', 'langchain', 'pgbench'];

async function main(): Promise<void> {
  const refPort = Number(process.env.COMPAT_REF_PORT ?? 55432);
  const qPort = Number(process.env.COMPAT_QUIVER_PORT ?? 5491);
  const clients = process.argv.slice(2).length ? process.argv.slice(2) : CLIENTS;
  const verbose = process.env.COMPAT_VERBOSE === '1';
  for (const client of clients) {
    const db = `compat_${client.replace(/-/g, '_')}`;
    await recreateDatabase(refPort, db);
    await recreateDatabase(qPort, db);
    const ref = await connect(refPort, db);
    const q = await connect(qPort, db);
    const entries = readCorpus(client);
    let bad = 0;
    const skip = new RegExp(process.env.COMPAT_SKIP ?? KNOWN_SERVER_KILLERS);
    for (const [i, e] of entries.entries()) {
      if (skip.test(e.sql)) {
        console.log(`--- ${client} #${i} [${e.action}] skipped (COMPAT_SKIP)`);
        bad++;
        continue;
      }
      const a = await run(ref, e);
      const b = await run(q, e);
      const diffs = compare(a, b);
      if (diffs.length) {
        bad++;
        console.log(`--- ${client} #${i} [${e.action}] ${e.protocol}`);
        console.log(verbose ? e.sql : e.sql.replace(/\s+/g, ' ').slice(0, 400));
        for (const d of diffs) console.log('   * ' + d.slice(0, 600));
      }
    }
    console.log(`=== ${client}: ${entries.length - bad}/${entries.length} statements match`);
    await ref.end();
    await q.end();
  }
}

if (!process.env.NODE_TEST_CONTEXT && process.argv[1]?.endsWith('compat-corpus.js')) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
