/**
 * The TCP listener: one Connection per socket. close() stops listening, tells every client
 * that the server is shutting down (FATAL 57P01) and waits until their sockets are gone.
 */
import net from 'node:net';
import type { Logger } from 'pino';
import type { BackendRegistry } from './backend.js';
import { Connection, type ConnectionSecurity } from './connection.js';

export interface WireServerOptions {
  host: string;
  /** 0 picks a free port */
  port: number;
  registry: BackendRegistry;
  logger: Logger;
  /** TLS (SSLRequest → 'S') and password authentication; default: no TLS, trust */
  security?: ConnectionSecurity;
}

export interface WireServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startWireServer(opts: WireServerOptions): Promise<WireServer> {
  const connections = new Set<Connection>();
  let nextId = 1;
  const server = net.createServer((socket) => {
    const conn = new Connection(socket, opts.registry, opts.logger.child({ conn: nextId++ }), opts.security);
    connections.add(conn);
    void conn.finished.then(() => connections.delete(conn));
  });
  server.on('error', (e) => opts.logger.warn({ err: e }, 'wire server error'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  opts.logger.info({ host: opts.host, port }, 'wire server listening');
  return {
    port,
    async close(): Promise<void> {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const conn of connections) conn.terminate();
      await Promise.all([...connections].map((c) => c.finished));
      await stopped;
    },
  };
}
