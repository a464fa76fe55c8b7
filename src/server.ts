/**
 * Wires the layers together: storage → engine (catalog, sessions) → wire listener.
 * The only module that knows all of them.
 */
import type { Logger } from 'pino';
import { Engine } from './engine/engine.js';
import { loadParser } from './sql/parser.js';
import { MemoryStorage } from './storage/memory-storage.js';
import { startWireServer } from './wire/server.js';

export interface ServerOptions {
  host: string;
  port: number;
  dataDir: string;
  logger: Logger;
}

export interface RunningServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  await loadParser();
  const storage = new MemoryStorage();
  const engine = new Engine(storage);
  // Durable storage: restore the catalog image before serving, e.g.
  //   const image = storage.loadCatalog(); if (image) engine.restoreCatalog(image);
  const image = storage.loadCatalog();
  if (image) engine.restoreCatalog(image);
  const wire = await startWireServer({ host: opts.host, port: opts.port, registry: engine, logger: opts.logger });
  return {
    port: wire.port,
    async close() {
      await wire.close();
      await storage.close();
    },
  };
}
