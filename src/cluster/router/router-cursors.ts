/**
 * SQL cursors over sharded tables (README "Cluster mode", shard router): DECLARE runs its
 * query through the router (pinned, or fanned out and merged) and the router keeps the rows;
 * FETCH / MOVE walk them as PostgreSQL's portal does (types/portal-fetch.ts, shared with the
 * engine: pquery.c DoPortalRunFetch ported, the same rows, counts and NO SCROLL errors),
 * CLOSE drops them. A cursor whose rows can stay on the shards (shard-cursors.ts: a pinned
 * read or a concatenating fan-out, or with NO SCROLL a sorting one, declared in a block
 * without HOLD) reads them from cursors of the shards as FETCH asks; any other keeps its
 * whole result in the router's memory for its life.
 */
import { SqlError } from '../../errors.js';
import { fetchSteps, KeptRows, runFetch, startPosition, type FetchDirection, type PortalPosition } from '../../types/portal-fetch.js';
import type { Value } from '../../types/types.js';
import type { ExecResult, FieldInfo } from '../../wire/backend.js';
import type { CursorSource } from './shard-cursors.js';

export type { FetchDirection };

/** CURSOR_OPT_* (parsenodes.h) */
export const CURSOR_OPT = { binary: 0x1, scroll: 0x2, noScroll: 0x4, hold: 0x20 } as const;

interface Cursor {
  readonly fields: readonly FieldInfo[];
  /** the result kept whole, or read from the shards' cursors as FETCH asks */
  readonly rows: KeptRows<readonly Value[]> | CursorSource;
  /** PostgreSQL's portal state (atStart, atEnd, portalPos) */
  readonly position: PortalPosition;
  readonly hold: boolean;
  /** a FETCH / MOVE of it failed: PostgreSQL's failed portal, which cannot run again */
  failed?: boolean;
  /** declared in the open transaction (a rollback closes it even WITH HOLD) */
  inTxn: boolean;
  /** the block's savepoints when it was declared (a rollback to one of them closes it) */
  level: number;
}

export function unknownCursor(name: string): SqlError {
  return new SqlError('34000', `cursor "${name}" does not exist`);
}

export function duplicateCursor(name: string): SqlError {
  return new SqlError('42P03', `cursor "${name}" already exists`);
}

/**
 * Whether a cursor declared with `options` may move backward. Without SCROLL / NO SCROLL
 * PostgreSQL asks the plan; a query over a sharded table reads a relation, whose scans and
 * sorts can (as the standalone engine answers), unless it locks rows (FOR UPDATE: NO SCROLL).
 */
export function scrollable(options: number, locksRows: boolean): boolean {
  if ((options & CURSOR_OPT.noScroll) !== 0) return false;
  if ((options & CURSOR_OPT.scroll) !== 0) return true;
  return !locksRows;
}

export class RouterCursors {
  private readonly open = new Map<string, Cursor>();

  has(name: string): boolean {
    return this.open.has(name);
  }

  fields(name: string): FieldInfo[] | undefined {
    const c = this.open.get(name);
    return c ? [...c.fields] : undefined;
  }

  /** `rows`: the whole result, or the shards' cursors it is read from */
  declare(name: string, fields: readonly FieldInfo[], rows: readonly Value[][] | CursorSource, opts: { scroll: boolean; hold: boolean; inTxn: boolean; level: number }): void {
    if (this.open.has(name)) throw duplicateCursor(name);
    this.open.set(name, { fields, rows: Array.isArray(rows) ? new KeptRows(rows) : rows as CursorSource, position: startPosition(!opts.scroll), hold: opts.hold, inTxn: opts.inTxn, level: opts.level });
  }

  async fetch(name: string, direction: FetchDirection, howMany: number, move: boolean): Promise<ExecResult> {
    const c = this.open.get(name);
    if (!c) throw unknownCursor(name);
    if (c.failed) throw new SqlError('55000', `portal "${name}" cannot be run`);
    const out: (readonly Value[])[] = [];
    let n: number;
    try {
      n = c.rows instanceof KeptRows ? runFetch(c.position, c.rows, direction, howMany, move, out) : await fetchFrom(c.position, c.rows, direction, howMany, move, out as Value[][]);
    } catch (e) {
      c.failed = true;
      throw e;
    }
    if (move) return { kind: 'command', tag: `MOVE ${n}` };
    return { kind: 'rows', fields: c.fields, rows: out.map((r) => [...r]), tag: `FETCH ${n}` };
  }

  /** CLOSE name (its shards' cursors closed too) */
  async close(name: string): Promise<void> {
    const c = this.open.get(name);
    if (!c) throw unknownCursor(name);
    this.open.delete(name);
    if (!(c.rows instanceof KeptRows)) await c.rows.close();
  }

  /** CLOSE ALL: the shards' cursors closed too */
  async closeAll(): Promise<void> {
    const sources = [...this.open.values()].flatMap((c) => (c.rows instanceof KeptRows ? [] : [c.rows]));
    this.open.clear();
    await Promise.all(sources.map((s) => s.close()));
  }

  /** DISCARD ALL, the session's end (the shards' cursors go with their transactions) */
  clear(): void {
    this.open.clear();
  }

  /** ROLLBACK TO the savepoint at index `at` (of the block's list): cursors declared after it close, as in PostgreSQL (the shards' with the shards' rollback). */
  rolledBackTo(at: number): void {
    for (const [name, c] of this.open) if (c.inTxn && c.level > at) this.open.delete(name);
  }

  /** RELEASE of the savepoint at index `at`: its cursors belong to the one before. */
  released(at: number): void {
    for (const c of this.open.values()) if (c.level > at) c.level = at;
  }

  /** The transaction ended: cursors without HOLD close, and on a rollback those it declared. */
  endOfTransaction(committed: boolean): void {
    for (const [name, c] of this.open) {
      if (!c.hold || (!committed && c.inTxn)) this.open.delete(name);
      else c.inTxn = false;
    }
  }
}

/** runFetch over rows read asynchronously (the shards' cursors) */
async function fetchFrom(p: PortalPosition, rows: CursorSource, direction: FetchDirection, howMany: number, move: boolean, out: Value[][]): Promise<number> {
  const steps = fetchSteps(p, direction, howMany, move);
  let step = steps.next(0);
  while (!step.done) {
    const s = step.value;
    if (s === 'rewind') {
      await rows.rewind();
      step = steps.next(0);
    } else step = steps.next(await rows.read(s.forward, s.count, s.keep ? out : null));
  }
  return step.value;
}
