/**
 * COPY … FROM STDIN into a sharded table, streamed: rows are cut from the client's CopyData
 * as it arrives (copy-split.ts), each goes to its key's shard (a table without a key: the
 * transaction's round-robin shard), batched per shard, and every shard a row goes to runs
 * one COPY, started at its first row, with back-pressure from its socket. A bad row or the
 * client's CopyFail abandons every shard's COPY. Text and CSV rows are cut by copy-split.ts,
 * binary tuples by copy-binary.ts.
 */
import { StringDecoder } from 'node:string_decoder';
import { SqlError } from '../../errors.js';
import type { ExecResult } from '../../wire/backend.js';
import type { Value } from '../../types/types.js';
import { BINARY_COPY_TRAILER, BinaryCopySplitter } from './copy-binary.js';
import { appendFields, copyField, CopyRowSplitter, rowKey } from './copy-split.js';
import type { DrawnExpression } from './sequence-draw.js';
import { formatText } from '../../types/text-io.js';
import { encodeBinary } from '../../types/binary-format.js';
import { appendBinaryFields } from './copy-binary.js';
import type { Route } from './route.js';
import type { ShardConnection, ShardCopyIn } from './shard-connection.js';
import { shardOfKey } from './shard-hash.js';
import { allOrFirstError, sumTags } from './shard-values.js';

/** rows kept for a shard before they are sent as one CopyData */
const COPY_BATCH_BYTES = 64 * 1024;
/** rows whose sequence values are drawn on shard 0 in one query (sequence-draw.ts) */
const DRAW_BATCH_ROWS = 1000;

/** Where the rows go, and the transaction they go in. */
export interface CopyTarget {
  readonly shards: number;
  /** the shard every row goes to (a table without a key), else undefined */
  readonly fixedShard: number | undefined;
  /** a shard's connection, joined to the COPY's transaction as a writer */
  connection(shard: number): Promise<ShardConnection>;
  /** `exprs` drawn for each of `count` rows on shard 0 (sequence-draw.ts drawRows), in the COPY's transaction */
  drawRows(exprs: readonly DrawnExpression[], count: number): Promise<Value[][]>;
  /** every shard's COPY is done: commit, when the COPY is a transaction of its own */
  commit(): Promise<void>;
  /** the COPY failed: roll back, or fail the block it is in */
  abandon(): Promise<void>;
}

/** The client's COPY data cut into rows, each with its key. */
interface CopyRows<R> {
  push(chunk: Buffer): R[];
  end(): R[];
  /** what every shard's COPY starts with (a CSV header line, the binary header), once known */
  header(): Buffer | null;
  /** what every shard's COPY ends with (the binary trailer, when the client sent one) */
  trailer(): Buffer | null;
  key(row: R): Value[];
  /** the row with `values` (drawn from sequences, in the drawn columns' types) as more fields */
  extend(row: R, values: readonly Value[]): R;
  size(row: R): number;
  join(rows: R[]): Buffer;
}

function textRows(route: Extract<Route, { kind: 'copyIn' }>, positions: readonly number[]): CopyRows<string> {
  const splitter = new CopyRowSplitter(route.options);
  const decoder = new StringDecoder('utf8');
  return {
    push: (chunk) => splitter.push(decoder.write(chunk)),
    end: () => [...splitter.push(decoder.end()), ...splitter.end()],
    // a CSV header names the drawn columns too (HEADER MATCH compares it with the column list)
    header: () => (splitter.header === null ? null : Buffer.from(appendFields(splitter.header, route.drawn.map((d) => copyField(d.name, route.options)), route.options), 'utf8')),
    trailer: () => null,
    key: (row) => rowKey(row, route.options, positions, route.table.keyTypes),
    extend: (row, values) => appendFields(row, values.map((v, i) => copyField(v === null ? null : formatText(route.drawn[i]!.type, v), route.options)), route.options),
    size: (row) => row.length,
    join: (rows) => Buffer.from(rows.join(''), 'utf8'),
  };
}

function binaryRows(route: Extract<Route, { kind: 'copyIn' }>, positions: readonly number[]): CopyRows<Buffer> {
  const splitter = new BinaryCopySplitter(route.table.name, route.columns.length);
  return {
    push: (chunk) => splitter.push(chunk),
    end: () => splitter.end(),
    header: () => splitter.header,
    trailer: () => (splitter.sawTrailer ? BINARY_COPY_TRAILER : null),
    key: (tuple) => splitter.key(tuple, positions, route.table.keyTypes),
    extend: (tuple, values) => appendBinaryFields(tuple, values.map((v, i) => (v === null ? null : encodeBinary(route.drawn[i]!.type, v)))),
    size: (tuple) => tuple.length,
    join: (tuples) => Buffer.concat(tuples),
  };
}

export function copyIntoShards(sql: string, route: Extract<Route, { kind: 'copyIn' }>, target: CopyTarget): Extract<ExecResult, { kind: 'copyIn' }> {
  const { table, options } = route;
  // a key column left out with a sequence DEFAULT is among the drawn fields appended to each row
  const positions = table.keyColumns.map((k) => {
    const given = route.columns.indexOf(k);
    const drawn = route.drawn.findIndex((d) => d.name === k);
    return given >= 0 ? given : drawn >= 0 ? route.columns.length + drawn : -1;
  });
  if (positions.some((p) => p < 0)) throw new SqlError('0A000', `COPY into "${table.name}" without its key column is not supported by the shard router yet`);
  return options.format === 'binary' ? copyRowsIntoShards(sql, route, target, binaryRows(route, positions)) : copyRowsIntoShards(sql, route, target, textRows(route, positions));
}

function copyRowsIntoShards<R>(sql: string, route: Extract<Route, { kind: 'copyIn' }>, target: CopyTarget, source: CopyRows<R>): Extract<ExecResult, { kind: 'copyIn' }> {
  const { table } = route;
  const streams = new Map<number, Promise<ShardCopyIn>>();
  const waiting = new Map<number, { rows: R[]; bytes: number }>();
  /** the tags of shard 0's COPYs ended so that its connection could draw sequence values */
  const ended: string[] = [];
  const shardSql = route.shardSql ?? sql;

  const stream = (shard: number): Promise<ShardCopyIn> => {
    let s = streams.get(shard);
    if (!s) {
      s = (async () => {
        const copy = await (await target.connection(shard)).startCopyIn(shardSql);
        const header = source.header();
        if (header !== null) await copy.write(header);
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
    await (await stream(shard)).write(source.join(batch.rows));
  };
  // rows waiting for their drawn values: drawn DRAW_BATCH_ROWS at a time (psql sends a
  // CopyData a row), or at the end
  let undrawn: R[] = [];
  // shard 0's connection cannot run a query inside its COPY: that COPY ends (its rows so far
  // sent), the values are drawn, and its next rows start another COPY in the same transaction
  const drawFor = async (given: R[], last: boolean): Promise<R[]> => {
    if (route.drawn.length === 0) return given;
    undrawn.push(...given);
    if (undrawn.length === 0 || (!last && undrawn.length < DRAW_BATCH_ROWS)) return [];
    const rows = undrawn;
    undrawn = [];
    const open = streams.get(0);
    if (open) {
      await flush(0);
      streams.delete(0);
      ended.push(await (await open).end());
    }
    const values = await target.drawRows(route.drawn, rows.length);
    return rows.map((row, i) => source.extend(row, values[i]!));
  };
  const place = async (given: R[], last = false): Promise<void> => {
    const rows = await drawFor(given, last);
    const full = new Set<number>();
    for (const row of rows) {
      const shard = target.fixedShard ?? shardOfKey(table.keyTypes, source.key(row), target.shards);
      let batch = waiting.get(shard);
      if (!batch) waiting.set(shard, (batch = { rows: [], bytes: 0 }));
      batch.rows.push(row);
      batch.bytes += source.size(row);
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
    kind: 'copyIn', format: route.options.format === 'binary' ? 'binary' : 'text', columnCount: route.columns.length,
    accept: async (chunk) => {
      try {
        await place(source.push(chunk));
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
        await place(source.end(), true);
        for (const shard of waiting.keys()) await flush(shard);
        // no rows: shard 0 still runs the COPY (its errors, its COPY 0)
        if (streams.size === 0 && ended.length === 0) await stream(target.fixedShard ?? 0);
        const trailer = source.trailer();
        if (trailer !== null) for (const s of streams.values()) await (await s).write(trailer);
        const tags = [...ended, ...await allOrFirstError([...streams.values()].map(async (s) => (await s).end()))];
        await target.commit();
        return { tag: sumTags(tags) };
      } catch (e) {
        await abandon(e);
        throw e;
      }
    },
  };
}
