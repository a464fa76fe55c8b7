/**
 * Whether a PostgreSQL-protocol server answers a query: startup as `postgres` (trust),
 * then `SELECT 1`, over a raw socket (the launcher needs no client library).
 */
import { connect } from 'node:net';

function startupPacket(user: string, database: string): Buffer {
  const body = Buffer.from(`user\0${user}\0database\0${database}\0\0`);
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + body.length, 0);
  head.writeInt32BE(196608, 4); // protocol 3.0
  return Buffer.concat([head, body]);
}

function queryPacket(sql: string): Buffer {
  const body = Buffer.from(`${sql}\0`);
  const head = Buffer.alloc(5);
  head.write('Q', 0);
  head.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([head, body]);
}

/** true once SELECT 1 completes; false on an error, a refusal or `timeoutMs` */
export function answersQueries(host: string, port: number, timeoutMs = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    let buf = Buffer.alloc(0);
    let ready = 0;
    const done = (ok: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    s.once('connect', () => s.write(startupPacket('postgres', 'postgres')));
    s.on('error', () => done(false));
    s.on('close', () => done(false));
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 5) {
        const len = buf.readInt32BE(1);
        if (buf.length < 1 + len) break;
        const type = String.fromCharCode(buf[0]);
        buf = buf.subarray(1 + len);
        if (type === 'E') return done(false);
        if (type === 'Z' && ++ready === 1) s.write(queryPacket('SELECT 1'));
        else if (type === 'Z') return done(true);
      }
    });
  });
}
