/**
 * Lives of one server on one data directory, each ended with kill -9 (durability tests):
 * `runThenCrash(dir, fn)` starts the server, runs `fn` with a client, then crashes it;
 * `cleanup` stops whatever is left and removes the directory.
 */
import { rm } from 'node:fs/promises';
import type pg from 'pg';
import { connectClient, startQuiver, type QuiverServer } from './server.js';

export interface CrashLives {
  runThenCrash(dir: string, fn: (c: pg.Client) => Promise<void>): Promise<void>;
  /** the directory removed by cleanup */
  useDir(dir: string): void;
  cleanup(): Promise<void>;
}

export function crashLives(): CrashLives {
  const started: QuiverServer[] = [];
  let dataDir: string | undefined;
  return {
    async runThenCrash(dir, fn) {
      const server = await startQuiver({ dataDir: dir });
      started.push(server);
      const c = await connectClient(server, 'postgres');
      try {
        await fn(c);
      } finally {
        await c.end();
      }
      await server.crash();
    },
    useDir(dir) {
      dataDir = dir;
    },
    async cleanup() {
      for (const s of started) await s.stop().catch(() => {});
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
