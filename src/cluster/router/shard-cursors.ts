/**
 * A router cursor whose rows stay on the shards (router-cursors.ts): DECLARE declares a
 * cursor of the same query on each shard it reads, inside the client's block, and each FETCH
 * / MOVE asks the shards for the rows it needs, so the router holds a FETCH's rows (and a
 * batch per shard when it merges), never the result.
 *
 * - Concatenated (a read pinned to one shard, or a fan-out without ORDER BY / LIMIT /
 *   OFFSET): the shards' cursors in shard order are one sequence; the one being read is
 *   `current`, those before it stand past their end and those after it before their start,
 *   so a read in either direction goes on into the next shard's cursor that way. A
 *   scrollable router cursor declares SCROLL cursors on the shards and so scrolls as
 *   PostgreSQL's portal does (rewind: MOVE ABSOLUTE 0 on the shards it reached).
 * - Merged (ORDER BY, LIMIT, OFFSET: stream.ts's k-way merge and bounds over the shards'
 *   cursors read a batch at a time): NO SCROLL only; a scrollable merged cursor is kept
 *   whole in the router, as before.
 */
import { FETCH_ALL } from '../../types/portal-fetch.js';
import type { SqlType, Value } from '../../types/types.js';
import type { RowStream } from '../../wire/backend.js';
import type { ShardConnection, ShardStream } from './shard-connection.js';
import { quoteIdent, shardValue, type TextSettings } from './shard-values.js';
import { STREAM_BATCH_ROWS } from './stream.js';

/** Rows a cursor's portal code (types/portal-fetch.ts) reads, answered asynchronously. */
export interface CursorSource {
  /** read `count` rows (FETCH_ALL: every row left) that way, into `out` (null: MOVE, discarded); the count read */
  read(forward: boolean, count: number, out: Value[][] | null): Promise<number>;
  rewind(): Promise<void>;
  /** CLOSE: the shards' cursors are closed (errors ignored: a failed block has dropped them anyway) */
  close(): Promise<void>;
}

function decode(row: readonly (string | null)[], types: readonly SqlType[], settings: TextSettings): Value[] {
  return row.map((t, c) => (t === null ? null : shardValue(types[c]!, t, settings)));
}

function closeOn(conns: readonly ShardConnection[], name: string): Promise<void> {
  return Promise.all(conns.map((c) => c.simple(`CLOSE ${quoteIdent(name)}`).catch(() => {}))).then(() => {});
}

/** The shards' cursors read one after another (see the module's comment). */
export class ConcatenatedShardCursors implements CursorSource {
  private current = 0;
  /** the shards whose cursors have moved (what a rewind resets) */
  private reached = 1;

  constructor(private readonly conns: readonly ShardConnection[], private readonly name: string, private readonly types: readonly SqlType[], private readonly settings: TextSettings) {}

  async read(forward: boolean, count: number, out: Value[][] | null): Promise<number> {
    const all = count === FETCH_ALL;
    let n = 0;
    for (;;) {
      const want = all ? 'ALL' : String(count - n);
      const reply = await this.conns[this.current]!.simple(`${out ? 'FETCH' : 'MOVE'} ${forward ? 'FORWARD' : 'BACKWARD'} ${want} FROM ${quoteIdent(this.name)}`);
      const got = out ? reply.rows.length : Number(/(\d+)$/.exec(reply.tag)?.[1] ?? 0);
      if (out) for (const r of reply.rows) out.push(decode(r, this.types, this.settings));
      n += got;
      if (!all && n >= count) return n;
      // this shard's cursor ran off its end that way: the next shard's that way, if any
      if (forward ? this.current === this.conns.length - 1 : this.current === 0) return n;
      this.current += forward ? 1 : -1;
      this.reached = Math.max(this.reached, this.current + 1);
    }
  }

  async rewind(): Promise<void> {
    await Promise.all(this.conns.slice(0, this.reached).map((c) => c.simple(`MOVE ABSOLUTE 0 FROM ${quoteIdent(this.name)}`)));
    this.current = 0;
    this.reached = 1;
  }

  close(): Promise<void> {
    return closeOn(this.conns, this.name);
  }
}

/** A shard's cursor as stream.ts reads a shard: FETCH FORWARD n at a time. */
export function shardCursorStream(conn: ShardConnection, name: string, fields: ShardStream['fields']): ShardStream {
  let ended = false;
  return {
    fields,
    tag: '',
    next: async (limit) => {
      if (ended) return null;
      const reply = await conn.simple(`FETCH FORWARD ${limit} FROM ${quoteIdent(name)}`);
      if (reply.rows.length < limit) ended = true;
      return reply.rows.length > 0 ? reply.rows : null;
    },
    close: async () => {},
  };
}

/** A NO SCROLL cursor over the rows of a stream (stream.ts's merge of the shards' cursors): forward only. */
export class ForwardShardCursors implements CursorSource {
  private pending: Value[][] = [];
  private ended = false;

  constructor(private readonly rows: RowStream, private readonly conns: readonly ShardConnection[], private readonly name: string) {}

  async read(forward: boolean, count: number, out: Value[][] | null): Promise<number> {
    if (!forward) throw new Error('a NO SCROLL cursor moved backward');
    const all = count === FETCH_ALL;
    let n = 0;
    while (all || n < count) {
      if (this.pending.length === 0) {
        if (this.ended) break;
        const batch = await this.rows.next(all ? undefined : Math.min(count - n, STREAM_BATCH_ROWS));
        if (batch === null) {
          this.ended = true;
          break;
        }
        this.pending = batch;
      }
      const take = all ? this.pending.length : Math.min(this.pending.length, count - n);
      if (out) for (let i = 0; i < take; i++) out.push(this.pending[i]!);
      this.pending = take === this.pending.length ? [] : this.pending.slice(take);
      n += take;
    }
    return n;
  }

  async rewind(): Promise<void> {
    throw new Error('a NO SCROLL cursor was rewound');
  }

  close(): Promise<void> {
    this.rows.close();
    return closeOn(this.conns, this.name);
  }
}
