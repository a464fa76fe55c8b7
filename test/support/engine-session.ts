/**
 * An engine over a fresh DurableStorage in a temp directory, with one started session and no
 * wire: what the engine-level tests (the *-turns tests, COPY and scan tests) set up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/engine.js';
import { loadParser } from '../../src/sql/parser.js';
import { DurableStorage } from '../../src/storage/durable-storage.js';
import type { Value } from '../../src/types/types.js';
import type { Backend } from '../../src/wire/backend.js';
import { backendRows } from './backend-sql.js';

export interface EngineSession {
  readonly dir: string;
  storage: DurableStorage;
  engine: Engine;
  backend: Backend;
  /** a statement's whole result through the session */
  sql(text: string, params?: readonly Value[]): Promise<Value[][]>;
  /** closes the storage and opens it again from the directory, the catalog restored, with a new session */
  restart(): Promise<void>;
  /** stops the engine's background work, closes the storage and removes the directory */
  close(): Promise<void>;
}

function startSession(engine: Engine): Backend {
  const backend = engine.create();
  backend.startup({ user: 'postgres', database: 'postgres' });
  return backend;
}

export async function openEngineSession(prefix: string): Promise<EngineSession> {
  await loadParser();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const storage = await DurableStorage.open({ dataDir: dir, background: false });
  const engine = new Engine(storage);
  const session: EngineSession = {
    dir, storage, engine, backend: startSession(engine),
    sql: (text, params = []) => backendRows(session.backend, text, params),
    async restart() {
      await session.engine.stopBackground();
      await session.storage.close();
      session.storage = await DurableStorage.open({ dataDir: dir, background: false });
      session.engine = new Engine(session.storage);
      const image = session.storage.loadCatalog();
      if (image) session.engine.restoreCatalog(image);
      session.backend = startSession(session.engine);
    },
    async close() {
      await session.engine.stopBackground();
      await session.storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return session;
}
