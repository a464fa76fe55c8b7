/**
 * Streamed results through the shard router: a statement's rows pass from the shards' open
 * portals (ShardConnection.stream) to the client as the wire layer pulls them (RowStream),
 * so the router holds a batch or two per shard, never the whole result. One shard's rows
 * pass as they come; a fan-out that only concatenates reads each shard's in turn; one that
 * sorts (ORDER BY … LIMIT) merges the shards' sorted batches k ways. Row limits of the
 * client's Execute reach the shards' Executes (`wanted`), so a cursor pulls what it asks.
 */
import { Turns } from '../../storage/turns.js';
import type { Row, SqlType, Value } from '../../types/types.js';
import type { FieldInfo, RowStream } from '../../wire/backend.js';
import type { StreamOrder } from './fanout-merge.js';
import type { ShardStream } from './shard-connection.js';
import { fieldInfo, shardValue, type TextSettings } from './shard-values.js';

/** rows per shard Execute when the client wants every row (about 1 MB of vector(128) text) */
export const STREAM_BATCH_ROWS = 1000;

/**
 * One shard's rows, a batch at a time: as Quiver values, or (`asText`) as the shard's text
 * output, passed to the client unchanged, with only `keyColumns` (what a merge compares,
 * a LIMIT / OFFSET of $n) parsed.
 */
class ShardSource {
  readonly fields: FieldInfo[];
  /** the rows handed on: values, or the shard's text */
  private rows: Value[][] = [];
  /** what a merge reads of each row: the values, or only the key columns parsed */
  private keys: Row[] = [];
  private at = 0;
  done = false;

  constructor(readonly shard: ShardStream, private readonly settings: TextSettings, private readonly asText = false, private readonly keyColumns: readonly number[] = []) {
    this.fields = shard.fields.map(fieldInfo);
  }

  /** rows buffered and not yet taken */
  get buffered(): number {
    return this.rows.length - this.at;
  }

  /** the head row as the merge reads it */
  head(): Row {
    return this.keys[this.at]!;
  }

  /** the head row, taken */
  shift(): Value[] {
    return this.rows[this.at++]!;
  }

  take(n: number): Value[][] {
    const out = this.at === 0 && n >= this.rows.length ? this.rows : this.rows.slice(this.at, this.at + n);
    this.at += out.length;
    return out;
  }

  /** read the next batch when the buffer is empty; false at the end */
  async fill(limit: number, prefetch: boolean): Promise<boolean> {
    if (this.buffered > 0) return true;
    if (this.done) return false;
    const text = await this.shard.next(limit, prefetch);
    if (text === null) {
      this.done = true;
      return false;
    }
    const types = this.fields.map((f) => f.type);
    if (this.asText) {
      this.rows = text;
      this.keys = this.keyColumns.length === 0 ? text : text.map((r) => {
        const key: Value[] = new Array<Value>(r.length).fill(null);
        for (const c of this.keyColumns) key[c] = r[c] === null ? null : shardValue(types[c]!, r[c]!, this.settings);
        return key;
      });
    } else {
      this.rows = text.map((r) => r.map((t, c) => (t === null ? null : shardValue(types[c]!, t, this.settings))));
      this.keys = this.rows;
    }
    this.at = 0;
    return this.rows.length > 0 || this.fill(limit, prefetch);
  }
}

function batchOf(wanted: number | undefined): { limit: number; prefetch: boolean } {
  return wanted === undefined ? { limit: STREAM_BATCH_ROWS, prefetch: true } : { limit: Math.min(wanted, STREAM_BATCH_ROWS), prefetch: false };
}

/** One shard's rows, passed on as they come, as its text output. `failed`: the statement failed midway (a block fails). */
export function shardRowStream(shard: ShardStream, settings: TextSettings, failed: () => void): { fields: FieldInfo[]; stream: RowStream } {
  const source = new ShardSource(shard, settings, true);
  return {
    fields: source.fields,
    stream: {
      next: async (wanted) => {
        const { limit, prefetch } = batchOf(wanted);
        try {
          return (await source.fill(limit, prefetch)) ? source.take(source.buffered) : null;
        } catch (e) {
          failed();
          throw e;
        }
      },
      close: () => void shard.close().catch(() => {}),
    },
  };
}

/**
 * A fan-out's rows from every shard's stream: concatenated in shard order, or (`order.compare`)
 * merged k ways from the shards' sorted rows; OFFSET and LIMIT applied, hidden columns dropped.
 * `asText`: the rows are the shards' text output (ExecResult `text`), else Quiver values.
 */
export function fanoutRowStream(shards: readonly ShardStream[], order: StreamOrder, settings: TextSettings, failed: () => void, asText = false): RowStream {
  const sources = shards.map((s) => new ShardSource(s, settings, asText, order.keyColumns));
  let current = 0; // concatenation: the shard being read
  let bounds: { skip: bigint; left: bigint | null } | null = null;
  let ended = false;
  const closeAll = (): void => {
    ended = true;
    for (const s of sources) void s.shard.close().catch(() => {});
  };
  const visible = (row: Value[]): Value[] => (row.length === order.visibleCount ? row : row.slice(0, order.visibleCount));

  /** the next row in the merge's order, or null when every shard ended */
  const nextRow = async (limit: number, prefetch: boolean): Promise<Value[] | null> => {
    if (!order.compare) {
      while (current < sources.length && !(await sources[current]!.fill(limit, prefetch))) current++;
      return current < sources.length ? sources[current]!.shift() : null;
    }
    let best: ShardSource | null = null;
    for (const s of sources) {
      if (!(await s.fill(limit, prefetch))) continue;
      if (!best || order.compare(s.head(), best.head()) < 0) best = s;
    }
    return best ? best.shift() : null;
  };

  return {
    next: async (wanted) => {
      if (ended) return null;
      const { limit, prefetch } = batchOf(wanted);
      const out: Value[][] = [];
      try {
        if (!bounds) {
          // a LIMIT / OFFSET of $n comes as a hidden column of every row: read it from the first
          // (the first shard with rows: concatenation waits for no other shard before its first row)
          let first: Row | undefined;
          for (const s of sources) {
            if (await s.fill(limit, prefetch)) {
              first = s.head();
              break;
            }
          }
          const { offset, limit: max } = order.bounds(first);
          bounds = { skip: offset, left: max };
        }
        while (out.length < limit) {
          if (bounds.left !== null && bounds.left <= 0n) break;
          const row = await nextRow(limit, prefetch && out.length === 0);
          if (!row) break;
          if (bounds.skip > 0n) {
            bounds.skip--;
            continue;
          }
          if (bounds.left !== null) bounds.left--;
          out.push(visible(row));
          // do not wait on a shard for more while rows are ready for the client
          if (!order.compare && sources[current]!.buffered === 0 && out.length > 0) break;
        }
      } catch (e) {
        closeAll();
        failed();
        throw e;
      }
      if (out.length === 0) {
        closeAll();
        return null;
      }
      return out;
    },
    close: closeAll,
  };
}

/**
 * Rows a shard already sent (a pulled-up statement's, from shard 0), handed to the client a
 * batch at a time as it takes them, the event loop given a turn every few milliseconds:
 * sending 100,000 rows in one piece held every other session of the router for hundreds
 * of milliseconds. `types`: the rows are decoded into Quiver values, else passed on as the
 * shard's text (ExecResult `text`). Each row's text is let go once handed on.
 */
export function sentRowStream(rows: (readonly (string | null)[] | undefined)[], types: readonly SqlType[] | null, settings: TextSettings): RowStream {
  let at = 0;
  const turns = new Turns();
  return {
    next: async (wanted) => {
      if (at >= rows.length) return null;
      await turns.take();
      const end = Math.min(rows.length, at + Math.min(wanted ?? STREAM_BATCH_ROWS, STREAM_BATCH_ROWS));
      const out: Value[][] = [];
      for (; at < end; at++) {
        const row = rows[at]!;
        out.push(types ? row.map((t, c) => (t === null ? null : shardValue(types[c]!, t, settings))) : row as Value[]);
        rows[at] = undefined;
      }
      return out;
    },
    close: () => {
      at = rows.length;
    },
  };
}

/** The rows decoded all at once (a caller that needs them together), still in slices. */
export async function decodeInSlices(rows: (readonly (string | null)[] | undefined)[], types: readonly SqlType[], settings: TextSettings): Promise<Value[][]> {
  const stream = sentRowStream(rows, types, settings);
  const out: Value[][] = [];
  for (let b = await stream.next(undefined); b; b = await stream.next(undefined)) for (const r of b) out.push(r);
  return out;
}
