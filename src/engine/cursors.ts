/**
 * SQL cursors: DECLARE starts the query, FETCH / MOVE walk its result, CLOSE drops it. At
 * the end of a transaction non-holdable cursors close (pg_cursors lists the open ones).
 *
 * A NO SCROLL cursor (without HOLD) streams: FETCH pulls rows from the running plan, so
 * reading a big result through it holds one batch, not the result. Other cursors can move
 * backward or outlive their transaction, so their result is computed at DECLARE and kept
 * (PostgreSQL too keeps a WITH HOLD cursor's result, from its COMMIT on).
 */
import { SqlError, SqlState } from '../errors.js';
import type { SystemRelationContext } from '../catalog/catalog.js';
import { runPlan } from '../executor/operators.js';
import { batchStream, drainAll, type BatchStream } from '../executor/suspend.js';
import type { BoundStatement } from '../sql/statement.js';
import type { Row, Value } from '../types/types.js';
import type { ExecResult, FieldInfo } from '../wire/backend.js';
import type { SessionContext } from './context.js';

/** An open cursor: FETCH and MOVE walk `rows` (computed at DECLARE) or pull from `stream`. */
interface Cursor {
  readonly fields: FieldInfo[];
  rows: Row[];
  /** a NO SCROLL cursor's running plan; `rows` then holds the rest of its last batch */
  readonly stream?: Streamed;
  /** 0 = before the first row, rows.length + 1 = after the last (PostgreSQL's portal position) */
  pos: number;
  readonly hold: boolean;
  /** declared inside the current transaction block (gone if it rolls back) */
  inTxn: boolean;
  /** for pg_cursors: the DECLARE text, CURSOR_OPT_* bits, creation time (µs since epoch) */
  readonly statement: string;
  readonly options: number;
  readonly created: number;
}

interface Streamed {
  readonly batches: BatchStream;
  /** rows of `rows` already handed out */
  taken: number;
  /** rows passed since DECLARE (fetched or moved over) */
  count: number;
  ended: boolean;
  /** the DECLARE's snapshot, kept for the FETCHes after it */
  readonly release: () => void;
}

/** CURSOR_OPT_NO_SCROLL (parsenodes.h) */
const NO_SCROLL = 0x4;

type Declare = Extract<BoundStatement, { kind: 'declare' }>;
type Fetch = Extract<BoundStatement, { kind: 'fetch' }>;

function forwardOnly(): SqlError {
  return new SqlError(SqlState.objectNotInPrerequisiteState, 'cursor can only scan forward', { hint: 'Declare it with SCROLL option to enable backward scan.' });
}

export class Cursors {
  private readonly open = new Map<string, Cursor>();

  /** a cursor's columns (Describe of a portal that is an SQL cursor), undefined if there is none */
  fields(name: string): FieldInfo[] | undefined {
    return this.open.get(name)?.fields;
  }

  async declare(ctx: SessionContext, stmt: Declare, params: readonly Value[]): Promise<ExecResult> {
    const inBlock = ctx.tx.state === 'block';
    if (!inBlock && !stmt.hold) {
      throw new SqlError(SqlState.noActiveSqlTransaction, 'DECLARE CURSOR can only be used in transaction blocks');
    }
    if (this.open.has(stmt.name)) throw new SqlError(SqlState.duplicateCursor, `cursor "${stmt.name}" already exists`);
    const rc = ctx.runContext(ctx.tx.txn);
    const env = ctx.execEnv(params, rc);
    const fields = stmt.plan.schema.map((c) => ({ name: c.name, type: c.type, tableOid: c.tableOid, columnAttr: c.attnum > 0 ? c.attnum : 0 }));
    const base = { fields, pos: 0, hold: stmt.hold, inTxn: inBlock, statement: stmt.statement, options: stmt.options, created: Date.now() * 1000 };
    if ((stmt.options & NO_SCROLL) !== 0 && !stmt.hold) {
      // each FETCH's cancel and statement_timeout apply while it pulls (env.checkCancel reads the current statement's)
      const batches = batchStream(runPlan(stmt.plan, rc, env), env.checkCancel, rc.slice);
      const release = ctx.engine.storage.retain(rc.snapshot);
      this.open.set(stmt.name, { ...base, rows: [], stream: { batches, taken: 0, count: 0, ended: false, release } });
    } else {
      const rows = await drainAll(runPlan(stmt.plan, rc, env), env.checkCancel, rc.slice);
      this.open.set(stmt.name, { ...base, rows });
    }
    return { kind: 'command', tag: 'DECLARE CURSOR' };
  }

  /** FETCH / MOVE [FORWARD|BACKWARD|ABSOLUTE|RELATIVE] [n|ALL] [FROM|IN] name */
  fetch(stmt: Fetch): ExecResult | Promise<ExecResult> {
    const c = this.open.get(stmt.portal);
    if (!c) throw new SqlError(SqlState.invalidCursorName, `cursor "${stmt.portal}" does not exist`);
    if (c.stream) return this.fetchStreamed(stmt, c, c.stream);
    const len = c.rows.length;
    const howMany = stmt.howMany;
    const out: Row[] = [];
    const at = (p: number): void => {
      c.pos = Math.max(0, Math.min(p, len + 1));
      if (c.pos >= 1 && c.pos <= len) out.push(c.rows[c.pos - 1]);
    };
    switch (stmt.direction) {
      case 'FETCH_FORWARD':
        if (howMany === 0) at(c.pos); // FETCH 0 / FORWARD 0: the current row again
        else for (let i = 0; i < howMany && c.pos <= len; i++) at(c.pos + 1);
        break;
      case 'FETCH_BACKWARD':
        if (howMany === 0) at(c.pos);
        else for (let i = 0; i < howMany && c.pos >= 1; i++) at(c.pos - 1);
        break;
      case 'FETCH_ABSOLUTE':
        at(howMany >= 0 ? howMany : len + 1 + howMany);
        break;
      case 'FETCH_RELATIVE':
        at(c.pos + howMany);
        break;
    }
    if (stmt.move) return { kind: 'command', tag: `MOVE ${out.length}` };
    return { kind: 'rows', fields: c.fields, rows: out, tag: `FETCH ${out.length}` };
  }

  /**
   * FETCH / MOVE on a streaming cursor: forward only, as PostgreSQL answers for NO SCROLL
   * (a position before the current one, or the current row again, is 55000).
   */
  private async fetchStreamed(stmt: Fetch, c: Cursor, s: Streamed): Promise<ExecResult> {
    const n = stmt.howMany;
    let skip = 0;
    let take = 0;
    switch (stmt.direction) {
      // FETCH 0 refetches the current row: only before the first one is there nothing to go back to
      case 'FETCH_FORWARD': if (n < 0 || (n === 0 && c.pos > 0)) throw forwardOnly(); take = n; break;
      case 'FETCH_BACKWARD': throw forwardOnly();
      case 'FETCH_ABSOLUTE':
        if (n === 0 && c.pos === 0) break;
        if (n <= c.pos) throw forwardOnly();
        skip = n - c.pos - 1;
        take = 1;
        break;
      case 'FETCH_RELATIVE':
        if (n === 0 && c.pos === 0) break;
        if (n <= 0) throw forwardOnly();
        skip = n - 1;
        take = 1;
        break;
    }
    const out: Row[] = [];
    let moved = 0;
    let fetched = 0;
    try {
      while (moved < skip + take) {
        if (s.taken === c.rows.length) {
          const next = s.ended ? null : await s.batches.next();
          if (next === null) {
            s.ended = true;
            break;
          }
          c.rows = next;
          s.taken = 0;
        }
        const k = Math.min(skip + take - moved, c.rows.length - s.taken);
        // of these k rows, those past the `skip` first ones are fetched
        for (let i = Math.max(0, skip - moved); i < k; i++) {
          fetched++;
          if (!stmt.move) out.push(c.rows[s.taken + i]);
        }
        s.taken += k;
        moved += k;
      }
    } catch (e) {
      this.drop(c);
      throw e;
    }
    s.count += moved;
    // ran past the end: positioned after the last row
    c.pos = moved < skip + take ? s.count + 1 : s.count;
    if (stmt.move) return { kind: 'command', tag: `MOVE ${fetched}` };
    return { kind: 'rows', fields: c.fields, rows: out, tag: `FETCH ${out.length}` };
  }

  /** CLOSE name, or CLOSE ALL (name undefined) */
  close(name: string | undefined): string {
    if (!name) {
      this.clear();
      return 'CLOSE CURSOR ALL';
    }
    const c = this.open.get(name);
    if (!c) throw new SqlError(SqlState.invalidCursorName, `cursor "${name}" does not exist`);
    this.open.delete(name);
    this.drop(c);
    return 'CLOSE CURSOR';
  }

  /** DISCARD ALL, and the session's end */
  clear(): void {
    for (const c of this.open.values()) this.drop(c);
    this.open.clear();
  }

  /** At COMMIT non-holdable cursors close; at ROLLBACK also those declared in the block. */
  closeAtEnd(committed: boolean): void {
    for (const [name, c] of this.open) {
      if (!c.hold || (!committed && c.inTxn)) {
        this.open.delete(name);
        this.drop(c);
      } else c.inTxn = false;
    }
  }

  /** Did the open transaction declare a WITH HOLD cursor still open? (PREPARE TRANSACTION refuses that) */
  heldFromThisTransaction(): boolean {
    for (const c of this.open.values()) if (c.hold && c.inTxn) return true;
    return false;
  }

  /** a streaming cursor's plan stops (its temp files go) and its snapshot is let go */
  private drop(c: Cursor): void {
    if (!c.stream) return;
    c.stream.ended = true;
    c.stream.batches.close();
    c.stream.release();
  }

  /** pg_cursors rows. CURSOR_OPT_BINARY 0x1, CURSOR_OPT_NO_SCROLL 0x4 (parsenodes.h); Quiver's cursors can always scroll back */
  list(): ReturnType<NonNullable<SystemRelationContext['cursors']>> {
    return [...this.open].map(([name, c]) => ({ name, statement: c.statement, holdable: c.hold, binary: (c.options & 1) !== 0, scrollable: (c.options & 4) === 0, created: c.created }));
  }
}
