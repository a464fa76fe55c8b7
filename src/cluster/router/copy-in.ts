/**
 * COPY … FROM STDIN into a sharded table, streamed: rows are cut from the client's CopyData
 * as it arrives (copy-split.ts), each goes to its key's shard (a table without a key: the
 * transaction's round-robin shard), batched per shard, and every shard a row goes to runs
 * one COPY, started at its first row, with back-pressure from its socket. A bad row or the
 * client's CopyFail abandons every shard's COPY.
 */
import { StringDecoder } from 'node:string_decoder';
import { SqlError } from '../../errors.js';
import type { ExecResult } from '../../wire/backend.js';
import { CopyRowSplitter, rowKey } from './copy-split.js';
import type { Route } from './route.js';
import type { ShardConnection, ShardCopyIn } from './shard-connection.js';
import { shardOfKey } from './shard-hash.js';
import { allOrFirstError, sumTags } from './shard-values.js';

/** rows kept for a shard before they are sent as one CopyData */
const COPY_BATCH_BYTES = 64 * 1024;

/** Where the rows go, and the transaction they go in. */
export interface CopyTarget {
  readonly shards: number;
  /** the shard every row goes to (a table without a key), else undefined */
  readonly fixedShard: number | undefined;
  /** a shard's connection, joined to the COPY's transaction as a writer */
  connection(shard: number): Promise<ShardConnection>;
  /** every shard's COPY is done: commit, when the COPY is a transaction of its own */
  commit(): Promise<void>;
  /** the COPY failed: roll back, or fail the block it is in */
  abandon(): Promise<void>;
}

export function copyIntoShards(sql: string, route: Extract<Route, { kind: 'copyIn' }>, target: CopyTarget): Extract<ExecResult, { kind: 'copyIn' }> {
  const { table, options } = route;
  const positions = table.keyColumns.map((k) => route.columns.indexOf(k));
  if (positions.some((p) => p < 0)) throw new SqlError('0A000', `COPY into "${table.name}" without its key column is not supported by the shard router yet`);
  const splitter = new CopyRowSplitter(options);
  const decoder = new StringDecoder('utf8');
  const streams = new Map<number, Promise<ShardCopyIn>>();
  const waiting = new Map<number, { rows: string[]; bytes: number }>();

  const stream = (shard: number): Promise<ShardCopyIn> => {
    let s = streams.get(shard);
    if (!s) {
      s = (async () => {
        const copy = await (await target.connection(shard)).startCopyIn(sql);
        if (splitter.header !== null) await copy.write(Buffer.from(splitter.header, 'utf8'));
        return copy;
      })();
      s.catch(() => {});
      streams.set(shard, s);
    }
    return s;
  };
  const flush = async (shard: number): Promise<void> => {
    const batch = waiting.get(shard);
    if (!batch || batch.rows.length === 0) return;
    waiting.set(shard, { rows: [], bytes: 0 });
    await (await stream(shard)).write(Buffer.from(batch.rows.join(''), 'utf8'));
  };
  const place = async (rows: string[]): Promise<void> => {
    const full = new Set<number>();
    for (const row of rows) {
      const shard = target.fixedShard ?? shardOfKey(table.keyTypes, rowKey(row, options, positions, table.keyTypes), target.shards);
      let batch = waiting.get(shard);
      if (!batch) waiting.set(shard, (batch = { rows: [], bytes: 0 }));
      batch.rows.push(row);
      batch.bytes += row.length;
      if (batch.bytes >= COPY_BATCH_BYTES) full.add(shard);
    }
    for (const shard of full) await flush(shard);
  };
  const abandon = async (reason: unknown): Promise<void> => {
    const message = reason instanceof Error ? reason.message : String(reason);
    await Promise.all([...streams.values()].map((s) => s.then((c) => c.fail(message), () => {})));
    await target.abandon();
  };

  return {
    kind: 'copyIn', format: 'text', columnCount: route.columns.length,
    accept: async (chunk) => {
      try {
        await place(splitter.push(decoder.write(chunk)));
      } catch (e) {
        await abandon(e);
        throw e;
      }
    },
    finish: async (data) => {
      if (data instanceof SqlError) {
        await abandon(data);
        return { tag: '' };
      }
      try {
        await place(splitter.push(decoder.end()));
        await place(splitter.end());
        for (const shard of waiting.keys()) await flush(shard);
        // no rows: shard 0 still runs the COPY (its errors, its COPY 0)
        if (streams.size === 0) await stream(target.fixedShard ?? 0);
        const tags = await allOrFirstError([...streams.values()].map(async (s) => (await s).end()));
        await target.commit();
        return { tag: sumTags(tags) };
      } catch (e) {
        await abandon(e);
        throw e;
      }
    },
  };
}
