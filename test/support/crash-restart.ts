/**
 * Durability tests' frame: a Quiver over a fresh data directory, killed with -9 after
 * `before`, started again over the same directory for `after`; the directory goes at the end.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startQuiver, TEST_DATABASE, type QuiverServer } from './server.js';

export async function acrossCrash(prefix: string, env: NodeJS.ProcessEnv, before: (s: QuiverServer) => Promise<void>, after: (s: QuiverServer) => Promise<void>): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), prefix));
  try {
    let server = await startQuiver({ dataDir, env });
    try {
      await before(server);
    } finally {
      await server.crash();
    }
    server = await startQuiver({ dataDir, env });
    try {
      await after(server);
    } finally {
      await server.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** A session left inside a transaction block after `sql` (the crash ends it): what it did must not survive. */
export async function leaveOpenBlock(server: QuiverServer, sql: string): Promise<void> {
  const open = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: TEST_DATABASE });
  open.on('error', () => undefined);
  await open.connect();
  await open.query('BEGIN');
  await open.query(sql);
}
