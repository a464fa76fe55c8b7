/**
 * Real clients end to end against Quiver.
 *
 * Always: protocol details those clients depend on, over raw sockets (psycopg 3's Describe of a
 * DECLAREd cursor, the failed-transaction state after a Describe error, binary COPY TO framing).
 *
 * With QUIVER_E2E_CLIENTS_DIR=<dir with node_modules of pg, pgvector, postgres, kysely, knex,
 * drizzle-orm, drizzle-kit, typeorm, reflect-metadata, sequelize> the scripts in
 * test/clients-e2e/*.cjs drive those clients and assert their results (each script passes
 * against PostgreSQL 15 + pgvector too: run it with PGPORT=55432). QUIVER_E2E_LANGCHAIN_DIR
 * (@langchain/community, @langchain/core, pg; installed with --legacy-peer-deps) adds
 * LangChain's PGVectorStore; psycopg 3 / psycopg2 / SQLAlchemy run when /usr/bin/python3 has
 * them; pgjdbc (/usr/share/java/postgresql.jar + java), R's RPostgreSQL (Rscript) and pgcli's
 * metadata layer (python3 with pgcli) run whenever they are installed (.ci/run installs them).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { serialize } from 'pg-protocol';
import { REPO_ROOT, startQuiver, type QuiverServer } from './support/server.js';
import { RawClient, summarize, type RawFrame } from './wire-fake-backend.js';

let server: QuiverServer;

before(async () => {
  server = await startQuiver();
});

after(async () => {
  await server?.stop();
});

async function session(): Promise<RawClient> {
  const c = await RawClient.connect(server.port);
  c.write(serialize.startup({ user: 'postgres', database: 'postgres' }));
  const frames = await c.untilReady();
  assert.equal(summarize(frames).at(-1), 'Z:I');
  return c;
}

async function simple(c: RawClient, sql: string): Promise<RawFrame[]> {
  c.write(serialize.query(sql));
  return c.untilReady();
}

test('Describe of a portal opened by DECLARE answers its RowDescription (psycopg 3 server-side cursors)', async () => {
  const c = await session();
  try {
    await simple(c, 'DROP TABLE IF EXISTS e2e_cur; CREATE TABLE e2e_cur (id int, title text); INSERT INTO e2e_cur VALUES (1, \'a\'), (2, \'b\')');
    await simple(c, 'BEGIN');
    c.write([serialize.parse({ text: 'DECLARE "e2e c" CURSOR FOR SELECT id, title FROM e2e_cur ORDER BY id' }), serialize.bind({}), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()]);
    assert.deepEqual(summarize(await c.untilReady()), ['1', '2', 'n', 'C:DECLARE CURSOR', 'Z:T']);
    c.write([serialize.describe({ type: 'P', name: 'e2e c' }), serialize.sync()]);
    const described = await c.untilReady();
    assert.deepEqual(summarize(described), ['T', 'Z:T']);
    const body = described[0]!.body;
    assert.equal(body.readInt16BE(0), 2);
    assert.equal(body.subarray(2, body.indexOf(0, 2)).toString(), 'id');
    assert.deepEqual(summarize(await simple(c, 'FETCH FORWARD 1 FROM "e2e c"')), ['T', 'D:1,a', 'C:FETCH 1', 'Z:T']);
    // an error outside execution (Describe of a missing portal) fails the transaction block too
    c.write([serialize.describe({ type: 'P', name: 'nope' }), serialize.sync()]);
    assert.deepEqual(summarize(await c.untilReady()), ['E:34000', 'Z:E']);
    assert.deepEqual(summarize(await simple(c, 'SELECT 1')), ['E:25P02', 'Z:E']);
    assert.deepEqual(summarize(await simple(c, 'ROLLBACK')), ['C:ROLLBACK', 'Z:I']);
    await simple(c, 'DROP TABLE e2e_cur');
  } finally {
    c.end();
  }
});

test('COPY TO STDOUT (FORMAT binary): the header travels with the first row, the trailer alone, like PostgreSQL', async () => {
  const c = await session();
  try {
    const frames = await simple(c, 'COPY (SELECT x FROM generate_series(1, 2) AS x) TO STDOUT (FORMAT binary)');
    assert.deepEqual(frames.map((f) => f.code), ['H', 'd', 'd', 'd', 'c', 'C', 'Z']);
    const first = frames[1]!.body;
    assert.equal(first.subarray(0, 11).toString('latin1'), 'PGCOPY\n\xff\r\n\0');
    assert.equal(first.length, 19 + 2 + 4 + 4);
    assert.equal(first.readInt16BE(19), 1);
    assert.equal(first.readInt32BE(25), 1);
    assert.equal(frames[2]!.body.readInt32BE(6), 2);
    assert.deepEqual([...frames[3]!.body], [0xff, 0xff]);
    const empty = await simple(c, 'COPY (SELECT 1 WHERE false) TO STDOUT (FORMAT binary)');
    assert.deepEqual(empty.map((f) => f.code), ['H', 'd', 'c', 'C', 'Z']);
    assert.equal(empty[1]!.body.length, 21);
  } finally {
    c.end();
  }
});

// ------------------------------------------------------------------ real clients (opt-in)

const CLIENTS_DIR = process.env.QUIVER_E2E_CLIENTS_DIR;
const LANGCHAIN_DIR = process.env.QUIVER_E2E_LANGCHAIN_DIR;
const SCRIPTS = join(REPO_ROOT, 'test', 'clients-e2e');

function modules(dir: string): string {
  return existsSync(join(dir, 'node_modules')) ? join(dir, 'node_modules') : dir;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env: { ...process.env, PGHOST: server.host, PGPORT: String(server.port), PGUSER: 'postgres', PGDATABASE: 'postgres', PGSSLMODE: 'disable', ...env }, timeout: 120_000, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

async function runScript(script: string, dir: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const r = await run(process.execPath, [join(SCRIPTS, script)], { NODE_PATH: modules(dir), ...env });
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /^ok$/m);
}

const nodeClients: [string, string, NodeJS.ProcessEnv?][] = [
  ['node-pg + pgvector registerTypes', 'node-pg.cjs'],
  ['postgres.js', 'postgres-js.cjs'],
  ['Kysely', 'kysely.cjs'],
  ['Knex migrations', 'knex.cjs'],
  ['Drizzle ORM + drizzle-kit pull', 'drizzle.cjs'],
  ['TypeORM synchronize', 'typeorm.cjs'],
  ['Sequelize sync/alter', 'sequelize.cjs'],
];

for (const [name, script] of nodeClients) {
  test(`real client: ${name}`, { skip: !CLIENTS_DIR && 'set QUIVER_E2E_CLIENTS_DIR to installed clients' }, async () => {
    const kit = join(modules(CLIENTS_DIR!), 'drizzle-kit', 'bin.cjs');
    await runScript(script, CLIENTS_DIR!, existsSync(kit) ? { E2E_DRIZZLE_KIT: kit } : {});
  });
}

test('real client: LangChain PGVectorStore', { skip: !LANGCHAIN_DIR && 'set QUIVER_E2E_LANGCHAIN_DIR to installed @langchain/community' }, async () => {
  await runScript('langchain.cjs', LANGCHAIN_DIR!);
});

const PYTHON = '/usr/bin/python3';
async function pythonHas(mods: string): Promise<boolean> {
  if (!CLIENTS_DIR || !existsSync(PYTHON)) return false;
  return (await run(PYTHON, ['-c', `import ${mods}`], {})).code === 0;
}

test('real client: psycopg 3 (COPY, binary and server-side cursors) and psycopg2', async (t) => {
  if (!(await pythonHas('psycopg, psycopg2'))) {
    t.skip('needs QUIVER_E2E_CLIENTS_DIR and python3-psycopg / python3-psycopg2');
    return;
  }
  const r = await run(PYTHON, [join(SCRIPTS, 'psycopg_e2e.py')], {});
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /^ok$/m);
});

test('real client: SQLAlchemy 1.4 inspector and MetaData.reflect', async (t) => {
  if (!(await pythonHas('sqlalchemy, psycopg2'))) {
    t.skip('needs QUIVER_E2E_CLIENTS_DIR and python3-sqlalchemy / python3-psycopg2');
    return;
  }
  const r = await run(PYTHON, [join(SCRIPTS, 'sqlalchemy_e2e.py')], {});
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /^ok$/m);
});

const ODBC_DRIVER = '/usr/lib/x86_64-linux-gnu/odbc/psqlodbcw.so';
test('real client: psqlODBC through pyodbc (default, UseServerSidePrepare=1, UseDeclareFetch=1)', async (t) => {
  // Debian packages (odbc-postgresql, unixodbc, python3-pyodbc), which .ci/run installs
  if (!existsSync(PYTHON) || !existsSync(ODBC_DRIVER) || (await run(PYTHON, ['-c', 'import pyodbc'], {})).code !== 0) {
    t.skip('needs odbc-postgresql and python3-pyodbc');
    return;
  }
  const r = await run(PYTHON, [join(SCRIPTS, 'odbc_e2e.py')], { ODBC_DRIVER });
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /^ok$/m);
});

const JDBC_JAR = '/usr/share/java/postgresql.jar';
test('real client: pgjdbc PreparedStatement (PGobject vector, server-prepared k-NN, an enum) and DatabaseMetaData', async (t) => {
  // Debian libpostgresql-jdbc-java (42.5) and a JDK 11+ (java runs the .java file as source), which .ci/run installs
  if (!existsSync(JDBC_JAR) || (await run('java', ['-version'], {})).code !== 0) {
    t.skip('needs libpostgresql-jdbc-java and java (openjdk-17-jre-headless)');
    return;
  }
  const r = await run('java', ['-cp', JDBC_JAR, join(SCRIPTS, 'JdbcE2e.java')], {});
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /^ok$/m);
});

test('real client: R RPostgreSQL/DBI (dbWriteTable by COPY, k-NN dbGetQuery, paged fetch, transactions)', async (t) => {
  // Debian r-cran-rpostgresql + r-cran-dbi, which .ci/run installs
  if ((await run('Rscript', ['-e', 'library(RPostgreSQL)'], {})).code !== 0) {
    t.skip('needs Rscript with r-cran-rpostgresql');
    return;
  }
  const r = await run('Rscript', [join(SCRIPTS, 'r_e2e.R')], {});
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /^ok$/m);
});

test('real client: pgcli 3.5 metadata (PGExecute, pgspecial \\d \\dt \\df \\dx, its completer filled by its refreshers)', async (t) => {
  // Debian pgcli (python3 modules pgcli, pgspecial, psycopg 3), which .ci/run installs
  if (!existsSync(PYTHON) || (await run(PYTHON, ['-c', 'import pgcli.pgexecute, pgspecial'], {})).code !== 0) {
    t.skip('needs pgcli (Debian package) for /usr/bin/python3');
    return;
  }
  const r = await run(PYTHON, [join(SCRIPTS, 'pgcli_e2e.py')], {});
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /^ok$/m);
});
