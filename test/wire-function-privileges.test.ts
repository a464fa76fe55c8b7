/**
 * Privileges on built-in functions and types over the wire: REVOKE EXECUTE / USAGE … FROM
 * PUBLIC and GRANTs to a role survive a restart (pg_proc.proacl, pg_type.typacl and the
 * checks), a statement prepared by a client is checked again at each execution, and DROP
 * ROLE keeps refusing while the role holds such a privilege.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startQuiver, type QuiverServer } from './support/server.js';

let dataDir: string;
let server: QuiverServer | undefined;

async function start(): Promise<void> {
  await server?.stop();
  server = await startQuiver({ dataDir, args: ['--auth', 'scram-sha-256', '--password', 'boot-secret'] });
}

async function connect(user: string, password: string): Promise<pg.Client> {
  const c = new pg.Client({ host: server!.host, port: server!.port, user, password, database: 'postgres' });
  c.on('error', () => {});
  await c.connect();
  return c;
}

async function asAdmin(sql: string[]): Promise<pg.QueryResult[]> {
  const admin = await connect('postgres', 'boot-secret');
  try {
    const out: pg.QueryResult[] = [];
    for (const s of sql) out.push(await admin.query(s));
    return out;
  } finally {
    await admin.end();
  }
}

const denied = (message: string) => (e: Error & { code?: string }) => e.code === '42501' && e.message === message;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'quiver-function-privileges-'));
  await start();
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

test('EXECUTE on built-in functions and USAGE on types survive a restart and keep being enforced', async () => {
  await asAdmin([
    `CREATE ROLE regress_fp_user LOGIN PASSWORD 'pw'`,
    `CREATE ROLE regress_fp_other LOGIN PASSWORD 'pw'`,
    'CREATE EXTENSION IF NOT EXISTS vector',
    'CREATE TABLE fp_items (id int, v vector(2))',
    `INSERT INTO fp_items VALUES (1, '[1,2]'), (2, '[3,4]')`,
    'GRANT SELECT ON fp_items TO PUBLIC',
    'GRANT CREATE ON SCHEMA public TO regress_fp_user',
    'REVOKE EXECUTE ON FUNCTION abs(integer), l2_distance(vector, vector) FROM PUBLIC',
    'GRANT EXECUTE ON FUNCTION abs(integer) TO regress_fp_other',
    'REVOKE USAGE ON TYPE vector FROM PUBLIC',
  ]);
  await start();
  const [proacl, typacl] = await asAdmin([
    `SELECT proname, proacl::text AS acl FROM pg_proc WHERE oid IN ('abs(integer)'::regprocedure, 'l2_distance(vector,vector)'::regprocedure) ORDER BY 1`,
    `SELECT typacl::text AS acl FROM pg_type WHERE typname = 'vector'`,
  ]);
  assert.deepEqual(proacl.rows, [
    { proname: 'abs', acl: '{postgres=X/postgres,regress_fp_other=X/postgres}' },
    { proname: 'l2_distance', acl: '{postgres=X/postgres}' },
  ]);
  assert.deepEqual(typacl.rows, [{ acl: '{postgres=U/postgres}' }]);
  const user = await connect('regress_fp_user', 'pw');
  const other = await connect('regress_fp_other', 'pw');
  try {
    await assert.rejects(user.query('SELECT abs(id) FROM fp_items'), denied('permission denied for function abs'));
    await assert.rejects(user.query(`SELECT id FROM fp_items ORDER BY v <-> '[1,1]' LIMIT 1`), denied('permission denied for function l2_distance'));
    await assert.rejects(user.query('CREATE TABLE fp_mine (v vector(3))'), denied('permission denied for type vector'));
    // another overload and another operator stay open
    assert.deepEqual((await user.query(`SELECT abs(-1.5) AS a, (SELECT id FROM fp_items ORDER BY v <=> '[1,1]' LIMIT 1) AS id`)).rows, [{ a: '1.5', id: 2 }]);
    assert.deepEqual((await other.query('SELECT has_function_privilege(\'abs(integer)\', \'EXECUTE\') AS may')).rows, [{ may: true }]);
    // a statement the client prepared while it was allowed is checked again when executed
    const prepared = { name: 'fp_abs', text: 'SELECT abs(id) AS a FROM fp_items ORDER BY 1' };
    assert.deepEqual((await other.query(prepared)).rows, [{ a: 1 }, { a: 2 }]);
    await asAdmin(['REVOKE EXECUTE ON FUNCTION abs(integer) FROM regress_fp_other']);
    await assert.rejects(other.query(prepared), denied('permission denied for function abs'));
  } finally {
    await user.end();
    await other.end();
  }
  // DROP ROLE names what the role still holds, after a restart too
  await asAdmin(['GRANT EXECUTE ON FUNCTION l2_distance(vector, vector) TO regress_fp_other', 'GRANT USAGE ON TYPE vector TO regress_fp_other']);
  await start();
  await assert.rejects(asAdmin(['DROP ROLE regress_fp_other']), (e: Error & { code?: string; detail?: string }) => {
    assert.equal(e.code, '2BP01');
    assert.equal(e.detail, 'privileges for function l2_distance(vector,vector)\nprivileges for type vector');
    return true;
  });
  await asAdmin([
    'DROP OWNED BY regress_fp_other', 'DROP OWNED BY regress_fp_user', 'DROP ROLE regress_fp_user, regress_fp_other',
    'GRANT EXECUTE ON FUNCTION abs(integer), l2_distance(vector, vector) TO PUBLIC', 'GRANT USAGE ON TYPE vector TO PUBLIC', 'DROP TABLE fp_items',
  ]);
  await start();
  const [after] = await asAdmin([`SELECT typacl::text AS acl FROM pg_type WHERE typname = 'vector'`]);
  assert.deepEqual(after.rows, [{ acl: '{postgres=U/postgres,=U/postgres}' }]);
});
