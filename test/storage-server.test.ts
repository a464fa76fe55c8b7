/**
 * The durable storage behind a real server process: data and catalog survive a clean
 * restart, sequences never hand out a value twice, and a second server on the same data
 * directory stops with a clear message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { MAIN_JS, REPO_ROOT, startQuiver } from './support/server.js';

async function query(port: number, sql: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

test('data, catalog and sequences survive a restart; the data directory is locked while in use', { timeout: 60000 }, async () => {
  if (process.env.QUIVER_TEST_PORT) return; // needs its own server processes
  const dataDir = await mkdtemp(join(tmpdir(), 'quiver-storage-server-'));
  try {
    let server = await startQuiver({ dataDir });
    await query(server.port, 'CREATE TABLE docs (id serial PRIMARY KEY, body text, embedding vector(3))');
    await query(server.port, "INSERT INTO docs (body, embedding) VALUES ('a', '[1,0,0]'), ('b', '[0,1,0]'), ('c', '[0,0,1]')");
    await query(server.port, "DELETE FROM docs WHERE body = 'b'");
    assert.ok(existsSync(join(dataDir, 'QUIVER_VERSION')));
    assert.ok(existsSync(join(dataDir, 'quiver.pid')));

    // a second server on the same directory refuses to start, naming the holder
    const second = spawn(process.execPath, [MAIN_JS, '--port', '0', '--data', dataDir], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    second.stderr!.setEncoding('utf8');
    second.stderr!.on('data', (s: string) => { stderr += s; });
    const code = await new Promise<number | null>((r) => second.once('exit', (c) => r(c)));
    assert.notEqual(code, 0);
    assert.match(stderr, new RegExp(`data directory ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by another Quiver server \\(pid \\d+\\)`));

    await server.stop();
    assert.ok(!existsSync(join(dataDir, 'quiver.pid')), 'clean shutdown removes the pid file');
    server = await startQuiver({ dataDir });
    const rows = (await query(server.port, 'SELECT id, body, embedding FROM docs ORDER BY id')).rows;
    assert.deepEqual(rows.map((r) => [r.id, r.body, r.embedding]), [[1, 'a', '[1,0,0]'], [3, 'c', '[0,0,1]']]);
    await query(server.port, "INSERT INTO docs (body) VALUES ('d')");
    const d = (await query(server.port, "SELECT id FROM docs WHERE body = 'd'")).rows[0];
    assert.equal(d.id, 4, 'the sequence continues after the values handed out before the restart');
    await assert.rejects(query(server.port, "INSERT INTO docs (id, body) VALUES (3, 'dup')"), /duplicate key value violates unique constraint "docs_pkey"/);
    await server.stop();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
