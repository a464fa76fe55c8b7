/**
 * Whether a PostgreSQL-protocol endpoint answers queries: a startup as `postgres` (no
 * password: the local cluster trusts loopback; TLS when offered), then `SELECT 1`. Spoken with pg-protocol
 * (a runtime dependency) rather than `pg`, which is only a devDependency: the launcher
 * must run from a production install.
 */
import type { Socket } from 'node:net';
import { parse, serialize } from 'pg-protocol';
import { openShardSocket } from '../router/shard-tls.js';

/**
 * Resolves once `SELECT 1` on host:port has returned 1; rejects with the reason
 * otherwise (refused, an ErrorResponse such as 57P03, a password asked for, `timeoutMs`).
 */
export function selectOne(host: string, port: number, timeoutMs = 3000): Promise<void> {
  return new Promise((resolve, reject) => {
    let socket: Socket | undefined;
    let readies = 0;
    let one = false;
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket?.destroy();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => finish(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
    // TLS when the endpoint offers it (a --tls cluster's data nodes require it)
    openShardSocket(0, `${host}:${port}`, host, port, { mode: 'prefer' }).then((opened) => {
      socket = opened;
      if (settled) {
        socket.destroy();
        return;
      }
      probe(socket);
    }, (e: Error) => finish(e));
    const probe = (socket: Socket): void => {
      socket.write(serialize.startup({ user: 'postgres', database: 'postgres' }));
      socket.once('error', (e) => finish(e));
      socket.once('close', () => finish(new Error(`${host}:${port} closed the connection`)));
      void parse(socket, (msg) => {
        const m = msg as { name: string; code?: string; message?: string; fields?: unknown[] };
        if (m.name === 'error') finish(new Error(`${m.code}: ${m.message}`));
        else if (m.name.startsWith('authentication') && m.name !== 'authenticationOk') finish(new Error(`${host}:${port} asks for a password`));
        else if (m.name === 'dataRow') one = m.fields?.[0] === '1';
        else if (m.name === 'readyForQuery' && ++readies === 1) socket.write(serialize.query('SELECT 1'));
        else if (m.name === 'readyForQuery') finish(one ? undefined : new Error(`SELECT 1 on ${host}:${port} did not return 1`));
      }).catch((e: Error) => finish(e));
    };
  });
}
