/**
 * What the shard router tests share: which shard an int key is on, ids on a given shard, a
 * client of a router or shard on loopback, and the error a statement fails with.
 */
import assert from 'node:assert/strict';
import pg from 'pg';
import { shardOfKey } from '../../src/cluster/router/shard-hash.js';
import { T } from '../../src/types/types.js';

/** the shard of an int4 key among `shards` */
export const shardOfInt = (id: number, shards: number): number => shardOfKey([T.int4], [id], shards);

/** n distinct int4 keys on `shard` of `shards`, from `from` up */
export function idsOn(shard: number, n: number, shards: number, from = 1): number[] {
  const out: number[] = [];
  for (let id = from; out.length < n; id++) if (shardOfInt(id, shards) === shard) out.push(id);
  return out;
}

/** a connected client of 127.0.0.1:`port` as postgres */
export async function loopbackClient(port: number): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  c.on('error', () => {});
  await c.connect();
  return c;
}

/** the error `work` fails with (the test fails if it does not) */
export async function sqlError(work: Promise<unknown>): Promise<pg.DatabaseError> {
  try {
    await work;
  } catch (e) {
    return e as pg.DatabaseError;
  }
  assert.fail('expected an error');
}

/** the rows of `sql` on each shard (servers on loopback ports), read there directly, as arrays */
export function rowsOnEach(shards: readonly { readonly port: number }[], sql: string): Promise<any[][][]> {
  return Promise.all(shards.map(async (s) => {
    const d = await loopbackClient(s.port);
    try {
      return (await d.query({ text: sql, rowMode: 'array' })).rows;
    } finally {
      await d.end();
    }
  }));
}
