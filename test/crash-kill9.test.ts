/**
 * Crash test: a child-process server takes concurrent writes (multi-row INSERTs, explicit
 * transactions, COPY, DELETEs) with a tiny seal threshold so that seals and compactions
 * run all the time; it is killed with SIGKILL at a random moment, restarted on the same
 * data directory, and checked:
 *   - every acknowledged commit is there (and every acknowledged delete is gone);
 *   - no transaction is half there: each group of rows is complete or absent.
 * Repeated a few times on the same directory, so recovery also recovers from recoveries.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { MAIN_JS, REPO_ROOT } from './support/server.js';

const ITERATIONS = 5;
const GROUP_ROWS = 20; // rows per transaction group (INSERT / transaction)
const COPY_ROWS = 400; // rows per COPY group

interface Child { proc: ChildProcess; port: number; stderr: () => string }

async function startChild(dataDir: string): Promise<Child> {
  const proc = spawn(process.execPath, [MAIN_JS, '--host', '127.0.0.1', '--port', '0', '--data', dataDir, '--log-level', 'info'], {
    cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, QUIVER_SEAL_THRESHOLD_BYTES: String(48 * 1024) },
  });
  let stderr = '';
  proc.stderr!.setEncoding('utf8');
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line:\n${stderr}`)), 20000);
    proc.stderr!.on('data', (s: string) => {
      stderr += s;
      const m = /"msg":"listening".*?"port":(\d+)/.exec(stderr);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}):\n${stderr}`)); });
  });
  return { proc, port, stderr: () => stderr };
}

async function kill9(c: Child): Promise<void> {
  if (c.proc.exitCode !== null || c.proc.signalCode !== null) return;
  await new Promise<void>((done) => { c.proc.once('exit', () => done()); c.proc.kill('SIGKILL'); });
}

function vec(g: number, k: number): string {
  return `[${g},${k},${(g * 31 + k) % 97},0.5]`;
}

type GroupState = 'acked' | 'inDoubt' | 'deleted' | 'deleteInDoubt';

class Model {
  /** group id → expected row count and state */
  readonly groups = new Map<number, { rows: number; state: GroupState }>();
  private next = 1;
  newGroup(rows: number): number {
    const g = this.next++;
    this.groups.set(g, { rows, state: 'inDoubt' });
    return g;
  }
  ackedGroups(): number[] {
    return [...this.groups].filter(([, s]) => s.state === 'acked').map(([g]) => g);
  }
}

async function connect(port: number): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  c.on('error', () => {}); // the server is killed under our feet
  await c.connect();
  return c;
}

/** One writer: runs random transactions until the connection dies. */
async function writer(port: number, model: Model, kind: number, stop: { now: boolean }): Promise<void> {
  let c: pg.Client;
  try { c = await connect(port); } catch { return; }
  try {
    while (!stop.now) {
      const choice = (kind + Math.floor(Math.random() * 4)) % 4;
      if (choice === 0) {
        const g = model.newGroup(GROUP_ROWS);
        const values = Array.from({ length: GROUP_ROWS }, (_, k) => `(${g * 1000 + k}, ${g}, '${vec(g, k)}')`).join(',');
        await c.query(`INSERT INTO crash_items (id, grp, v) VALUES ${values}`);
        model.groups.get(g)!.state = 'acked';
      } else if (choice === 1) {
        const g = model.newGroup(GROUP_ROWS);
        await c.query('BEGIN');
        for (let k = 0; k < GROUP_ROWS; k += 5) {
          const values = Array.from({ length: 5 }, (_, j) => `(${g * 1000 + k + j}, ${g}, '${vec(g, k + j)}')`).join(',');
          await c.query(`INSERT INTO crash_items (id, grp, v) VALUES ${values}`);
        }
        await c.query('COMMIT');
        model.groups.get(g)!.state = 'acked';
      } else if (choice === 2) {
        const g = model.newGroup(COPY_ROWS);
        const lines = Array.from({ length: COPY_ROWS }, (_, k) => `${g * 1000 + k}\t${g}\t${vec(g, k)}\n`).join('');
        await pipeline(Readable.from([lines]), c.query(copyFrom('COPY crash_items (id, grp, v) FROM STDIN')));
        model.groups.get(g)!.state = 'acked';
      } else {
        const acked = model.ackedGroups();
        if (acked.length < 5) continue;
        const g = acked[Math.floor(Math.random() * acked.length)];
        const s = model.groups.get(g)!;
        s.state = 'deleteInDoubt';
        await c.query(`DELETE FROM crash_items WHERE grp = ${g}`);
        s.state = 'deleted';
      }
    }
  } catch {
    // connection killed: whatever was in flight stays in doubt
  } finally {
    c.end().catch(() => {});
  }
}

async function verify(port: number, model: Model): Promise<{ rows: number; groups: number }> {
  const c = await connect(port);
  try {
    const res = await c.query('SELECT id, grp, v FROM crash_items');
    const counts = new Map<number, number>();
    for (const r of res.rows as { id: string; grp: number; v: string }[]) {
      const g = Number(r.grp);
      counts.set(g, (counts.get(g) ?? 0) + 1);
      const k = Number(r.id) - g * 1000;
      assert.equal(r.v, vec(g, k), `row ${r.id} has its vector`);
    }
    for (const [g, s] of model.groups) {
      const n = counts.get(g) ?? 0;
      switch (s.state) {
        case 'acked':
          assert.equal(n, s.rows, `acknowledged group ${g} is complete`);
          break;
        case 'deleted':
          assert.equal(n, 0, `acknowledged delete of group ${g} is durable`);
          break;
        case 'inDoubt':
        case 'deleteInDoubt':
          assert.ok(n === 0 || n === s.rows, `group ${g} (${s.state}) is all or nothing, found ${n} of ${s.rows}`);
          // settle the model with what recovery decided
          s.state = n === 0 ? 'deleted' : 'acked';
          break;
      }
      counts.delete(g);
    }
    assert.equal(counts.size, 0, 'no rows of unknown groups');
    return { rows: res.rows.length, groups: model.groups.size };
  } finally {
    await c.end();
  }
}

test('kill -9 at random moments loses no acknowledged commit and shows no half transaction', { timeout: 120000 }, async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'quiver-crash-'));
  const model = new Model();
  let child: Child | undefined;
  let sealedFiles = 0;
  let seals = 0;
  let compactions = 0;
  try {
    child = await startChild(dataDir);
    const c = await connect(child.port);
    await c.query('CREATE TABLE crash_items (id bigint PRIMARY KEY, grp int NOT NULL, v vector(4))');
    await c.end();
    for (let it = 0; it < ITERATIONS; it++) {
      const stop = { now: false };
      const writers = Array.from({ length: 6 }, (_, w) => writer(child!.port, model, w, stop));
      await new Promise((r) => setTimeout(r, 400 + Math.random() * 900));
      await kill9(child);
      stop.now = true;
      await Promise.all(writers);
      const prev = child.stderr();
      assert.doesNotMatch(prev, /"level":(50|60)/, 'no errors before the kill');
      child = await startChild(dataDir);
      const { rows } = await verify(child.port, model);
      const files = (await readdir(join(dataDir, 'segments'))).filter((f) => f.endsWith('.arrow'));
      sealedFiles = Math.max(sealedFiles, files.length);
      t.diagnostic(`iteration ${it}: ${rows} rows, ${model.groups.size} groups, ${files.length} sealed segment files`);
      assert.ok(rows > 0 || it === 0, 'data accumulates');
      assert.doesNotMatch(child.stderr(), /"level":(50|60)/, 'recovery logged no errors');
      seals += prev.match(/sealed growing segment/g)?.length ?? 0;
      compactions += prev.match(/compacted sealed segments/g)?.length ?? 0;
    }
    t.diagnostic(`${seals} seals and ${compactions} compactions completed before the kills`);
    assert.ok(sealedFiles > 0 && seals > 0, 'seals happened during the run');
    assert.ok(model.ackedGroups().length > 10, `enough acknowledged work to mean something (${model.ackedGroups().length} groups)`);
  } finally {
    if (child) await kill9(child);
    await rm(dataDir, { recursive: true, force: true });
  }
});
