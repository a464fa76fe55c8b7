/**
 * SQL cursors over sharded tables (README "Cluster mode", shard router): DECLARE runs its
 * query through the router (pinned, or fanned out and merged) and the router keeps the rows;
 * FETCH / MOVE walk them as PostgreSQL's portal does (pquery.c DoPortalRunFetch and
 * PortalRunSelect, ported: the same rows, counts and NO SCROLL errors for every direction),
 * CLOSE drops them. The result is held in the router's memory for the cursor's life: a
 * cursor over a very large result costs that much memory there.
 */
import { SqlError } from '../../errors.js';
import type { Value } from '../../types/types.js';
import type { ExecResult, FieldInfo } from '../../wire/backend.js';

/** FETCH ALL's count as libpg-query gives it (FETCH_ALL, LONG_MAX of its 32-bit build) */
const FETCH_ALL = 2147483647;

/** CURSOR_OPT_* (parsenodes.h) */
export const CURSOR_OPT = { binary: 0x1, scroll: 0x2, noScroll: 0x4, hold: 0x20 } as const;

export type FetchDirection = 'FETCH_FORWARD' | 'FETCH_BACKWARD' | 'FETCH_ABSOLUTE' | 'FETCH_RELATIVE';

interface Cursor {
  readonly fields: readonly FieldInfo[];
  readonly rows: readonly Value[][];
  readonly noScroll: boolean;
  readonly hold: boolean;
  /** declared in the open transaction (a rollback closes it even WITH HOLD) */
  inTxn: boolean;
  /** the block's savepoints when it was declared (a rollback to one of them closes it) */
  level: number;
  /** where the "executor" is: 0 before the first row, k on row k, rows.length + 1 past the last */
  at: number;
  /** PostgreSQL's portal state: atStart, atEnd, portalPos */
  atStart: boolean;
  atEnd: boolean;
  pos: number;
}

function forwardOnly(): SqlError {
  return new SqlError('55000', 'cursor can only scan forward', { hint: 'Declare it with SCROLL option to enable backward scan.' });
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

  declare(name: string, fields: readonly FieldInfo[], rows: readonly Value[][], opts: { scroll: boolean; hold: boolean; inTxn: boolean; level: number }): void {
    if (this.open.has(name)) throw duplicateCursor(name);
    this.open.set(name, { fields, rows, noScroll: !opts.scroll, hold: opts.hold, inTxn: opts.inTxn, level: opts.level, at: 0, atStart: true, atEnd: false, pos: 0 });
  }

  fetch(name: string, direction: FetchDirection, howMany: number, move: boolean): ExecResult {
    const c = this.open.get(name);
    if (!c) throw unknownCursor(name);
    const out: Value[][] | null = move ? null : [];
    const n = runFetch(c, direction, howMany, out);
    if (move) return { kind: 'command', tag: `MOVE ${n}` };
    return { kind: 'rows', fields: c.fields, rows: out!, tag: `FETCH ${n}` };
  }

  /** CLOSE name */
  close(name: string): void {
    if (!this.open.delete(name)) throw unknownCursor(name);
  }

  /** CLOSE ALL, DISCARD ALL, the session's end */
  clear(): void {
    this.open.clear();
  }

  /** ROLLBACK TO the savepoint at index `at` (of the block's list): cursors declared after it close, as in PostgreSQL. */
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

/** DoPortalRunFetch: rows go to `out` (null: MOVE, PostgreSQL's DestNone); the count is the tag's. */
function runFetch(c: Cursor, direction: FetchDirection, howMany: number, out: Value[][] | null): number {
  let count = howMany;
  let forward: boolean;
  switch (direction) {
    case 'FETCH_FORWARD':
    case 'FETCH_BACKWARD':
      forward = direction === 'FETCH_FORWARD';
      if (count < 0) {
        forward = !forward;
        count = -count;
      }
      break;
    case 'FETCH_ABSOLUTE':
      if (count > 0) {
        if (c.pos === FETCH_ALL || count - 1 < c.pos / 2) {
          rewind(c);
          if (count > 1) runSelect(c, true, count - 1, null);
        } else {
          let pos = c.pos;
          if (c.atEnd) pos++; // one extra fetch when off the end
          if (count <= pos) runSelect(c, false, pos - count + 1, null);
          else if (count > pos + 1) runSelect(c, true, count - pos - 1, null);
        }
        return runSelect(c, true, 1, out);
      }
      if (count < 0) {
        runSelect(c, true, FETCH_ALL, null);
        if (count < -1) runSelect(c, false, -count - 1, null);
        return runSelect(c, false, 1, out);
      }
      rewind(c);
      return runSelect(c, true, 0, out);
    case 'FETCH_RELATIVE':
      if (count > 0) {
        if (count > 1) runSelect(c, true, count - 1, null);
        return runSelect(c, true, 1, out);
      }
      if (count < 0) {
        if (count < -1) runSelect(c, false, -count - 1, null);
        return runSelect(c, false, 1, out);
      }
      forward = true;
      break;
  }
  if (count === 0) {
    // FETCH 0: the current row again, if the cursor is on one; MOVE 0 says whether it is
    const onRow = !c.atStart && !c.atEnd;
    if (!out) return onRow ? 1 : 0;
    if (onRow) {
      runSelect(c, false, 1, null);
      count = 1;
      forward = true;
    }
  }
  if (!forward && count === FETCH_ALL && !out) {
    // MOVE BACKWARD ALL is a rewind
    let result = c.pos;
    if (result > 0 && !c.atEnd) result--;
    rewind(c);
    return result;
  }
  return runSelect(c, forward, count, out);
}

/** DoPortalRewind */
function rewind(c: Cursor): void {
  if (c.atStart && !c.atEnd) return;
  if (c.noScroll) throw forwardOnly();
  c.at = 0;
  c.atStart = true;
  c.atEnd = false;
  c.pos = 0;
}

/** PortalRunSelect over the kept rows: count FETCH_ALL is every row left that way. */
function runSelect(c: Cursor, forward: boolean, count: number, out: Value[][] | null): number {
  const total = c.rows.length;
  const all = count === FETCH_ALL;
  if (forward) {
    if (c.atEnd || count <= 0) return 0;
    let n = 0;
    while ((all || n < count) && c.at < total) {
      c.at++;
      out?.push([...c.rows[c.at - 1]!]);
      n++;
    }
    if (all || n < count) c.at = total + 1;
    if (n > 0) c.atStart = false;
    if (all || n < count) c.atEnd = true;
    c.pos += n;
    return n;
  }
  if (c.noScroll) throw forwardOnly();
  if (c.atStart || count <= 0) return 0;
  let n = 0;
  while ((all || n < count) && c.at > 1) {
    c.at--;
    out?.push([...c.rows[c.at - 1]!]);
    n++;
  }
  if (all || n < count) c.at = 0;
  if (n > 0 && c.atEnd) {
    c.atEnd = false;
    c.pos++;
  }
  if (all || n < count) {
    c.atStart = true;
    c.pos = 0;
  } else c.pos -= n;
  return n;
}
