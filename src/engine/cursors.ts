/**
 * SQL cursors: DECLARE starts the query, FETCH / MOVE walk its result as PostgreSQL's portal
 * does (types/portal-fetch.ts, shared with the shard router), CLOSE drops it. At the end of a
 * transaction non-holdable cursors close, at a ROLLBACK TO those declared after the savepoint
 * (pg_cursors lists the open ones).
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
import { FETCH_ALL, fetchSteps, KeptRows, runFetch, startPosition, type PortalPosition } from '../types/portal-fetch.js';
import type { Row, Value } from '../types/types.js';
import type { ExecResult, FieldInfo } from '../wire/backend.js';
import type { SessionContext } from './context.js';

/** An open cursor: FETCH and MOVE walk `rows` (computed at DECLARE) or pull from a running plan. */
interface Cursor {
  readonly fields: FieldInfo[];
  readonly rows: KeptRows<Row> | StreamedRows;
  /** PostgreSQL's portal state (atStart, atEnd, portalPos) */
  readonly position: PortalPosition;
  readonly hold: boolean;
  /** a FETCH / MOVE of it failed: PostgreSQL's failed portal, which cannot run again */
  failed?: boolean;
  /** declared inside the current transaction block (gone if it rolls back) */
  inTxn: boolean;
  /** declaration order: a ROLLBACK TO closes the cursors declared after its savepoint's mark */
  readonly seq: number;
  /** for pg_cursors: the DECLARE text, CURSOR_OPT_* bits, creation time (µs since epoch) */
  readonly statement: string;
  readonly options: number;
  readonly created: number;
}

/** A cursor whose FETCH failed (PostgreSQL marks the portal failed; a held one outside a block is seen so). */
function cannotRun(name: string): SqlError {
  return new SqlError(SqlState.objectNotInPrerequisiteState, `portal "${name}" cannot be run`);
}

/** CURSOR_OPT_NO_SCROLL (parsenodes.h) */
const NO_SCROLL = 0x4;

type Declare = Extract<BoundStatement, { kind: 'declare' }>;
type Fetch = Extract<BoundStatement, { kind: 'fetch' }>;

/**
 * A NO SCROLL cursor's running plan, read forward a batch at a time. The portal never asks
 * it to go back (NO SCROLL is 55000 before any read), so it keeps only the current batch.
 */
class StreamedRows {
  private batch: Row[] = [];
  /** rows of `batch` already passed */
  private taken = 0;
  private ended = false;
  private closed = false;

  constructor(
    private readonly batches: BatchStream,
    /** the DECLARE's snapshot, kept for the FETCHes after it */
    private readonly releaseSnapshot: () => void,
  ) {}

  async read(count: number, out: Row[] | null): Promise<number> {
    const all = count === FETCH_ALL;
    let n = 0;
    while (all || n < count) {
      if (this.taken === this.batch.length) {
        const next = this.ended ? null : await this.batches.next();
        if (next === null) {
          this.ended = true;
          break;
        }
        this.batch = next;
        this.taken = 0;
      }
      const k = Math.min(all ? Infinity : count - n, this.batch.length - this.taken);
      if (out) for (let i = 0; i < k; i++) out.push(this.batch[this.taken + i]);
      this.taken += k;
      n += k;
    }
    return n;
  }

  /** the plan stops (its temp files go) and its snapshot is let go */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ended = true;
    this.batch = [];
    this.taken = 0;
    this.batches.close();
    this.releaseSnapshot();
  }
}

export class Cursors {
  private readonly open = new Map<string, Cursor>();
  /** cursors declared so far (each one's `seq`) */
  private declared = 0;

  /** a cursor's columns (Describe of a portal that is an SQL cursor), undefined if there is none */
  fields(name: string): FieldInfo[] | undefined {
    return this.open.get(name)?.fields;
  }

  async declare(ctx: SessionContext, stmt: Declare, params: readonly Value[]): Promise<ExecResult> {
    const inBlock = ctx.tx.state === 'block';
    // a multi-statement Query runs in PostgreSQL's implicit transaction block: the cursor lives until its end
    // (a pipeline's implicit transaction is no block: DECLARE without HOLD is 25P01 there)
    if ((!inBlock || ctx.tx.implicit === 'pipeline') && !stmt.hold && !ctx.tx.implicitBlock) {
      throw new SqlError(SqlState.noActiveSqlTransaction, 'DECLARE CURSOR can only be used in transaction blocks');
    }
    if (this.open.has(stmt.name)) throw new SqlError(SqlState.duplicateCursor, `cursor "${stmt.name}" already exists`);
    const rc = ctx.runContext(ctx.tx.txn);
    const env = ctx.execEnv(params, rc);
    const fields = stmt.plan.schema.map((c) => ({ name: c.name, type: c.type, tableOid: c.tableOid, columnAttr: c.attnum > 0 ? c.attnum : 0 }));
    const noScroll = (stmt.options & NO_SCROLL) !== 0;
    const base = { fields, position: startPosition(noScroll), hold: stmt.hold, inTxn: inBlock, seq: ++this.declared, statement: stmt.statement, options: stmt.options, created: Date.now() * 1000 };
    if (noScroll && !stmt.hold) {
      // each FETCH's cancel and statement_timeout apply while it pulls (env.checkCancel reads the current statement's)
      const batches = batchStream(runPlan(stmt.plan, rc, env), env.checkCancel, rc.slice);
      this.open.set(stmt.name, { ...base, rows: new StreamedRows(batches, ctx.engine.storage.retain(rc.snapshot)) });
    } else {
      const rows = await drainAll(runPlan(stmt.plan, rc, env), env.checkCancel, rc.slice);
      this.open.set(stmt.name, { ...base, rows: new KeptRows(rows) });
    }
    return { kind: 'command', tag: 'DECLARE CURSOR' };
  }

  /** FETCH / MOVE [FORWARD|BACKWARD|ABSOLUTE|RELATIVE] [n|ALL] [FROM|IN] name, as PostgreSQL's portal (types/portal-fetch.ts) */
  fetch(stmt: Fetch): ExecResult | Promise<ExecResult> {
    const c = this.open.get(stmt.portal);
    if (!c) throw new SqlError(SqlState.invalidCursorName, `cursor "${stmt.portal}" does not exist`);
    if (c.failed) throw cannotRun(stmt.portal);
    const out: Row[] = [];
    if (c.rows instanceof StreamedRows) return this.fetchStreamed(stmt, c, c.rows, out);
    try {
      return this.answer(stmt, c, runFetch(c.position, c.rows, stmt.direction, stmt.howMany, stmt.move, out), out);
    } catch (e) {
      c.failed = true;
      throw e;
    }
  }

  /** the portal's steps over a running plan: only forward reads reach it (a NO SCROLL portal refuses the others) */
  private async fetchStreamed(stmt: Fetch, c: Cursor, rows: StreamedRows, out: Row[]): Promise<ExecResult> {
    const steps = fetchSteps(c.position, stmt.direction, stmt.howMany, stmt.move);
    try {
      let step = steps.next(0);
      while (!step.done) {
        const s = step.value;
        if (s === 'rewind' || !s.forward) throw new Error('a NO SCROLL portal moved backward');
        step = steps.next(await rows.read(s.count, s.keep ? out : null));
      }
      return this.answer(stmt, c, step.value, out);
    } catch (e) {
      c.failed = true;
      rows.close();
      throw e;
    }
  }

  private answer(stmt: Fetch, c: Cursor, count: number, out: Row[]): ExecResult {
    if (stmt.move) return { kind: 'command', tag: `MOVE ${count}` };
    return { kind: 'rows', fields: c.fields, rows: out, tag: `FETCH ${count}` };
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

  /** A mark for SAVEPOINT: rolling back to it closes the cursors declared after it. */
  mark(): number {
    return this.declared;
  }

  /** ROLLBACK TO SAVEPOINT: cursors declared after its mark are gone, held or not (PostgreSQL drops a rolled-back subtransaction's portals). */
  rollbackTo(mark: number): void {
    for (const [name, c] of this.open) {
      if (c.seq > mark) {
        this.open.delete(name);
        this.drop(c);
      }
    }
  }

  /** The end of a multi-statement Query's implicit transaction block (or a COMMIT in it): its cursors without HOLD close. */
  closeImplicit(): void {
    for (const [name, c] of this.open) {
      if (!c.hold) {
        this.open.delete(name);
        this.drop(c);
      }
    }
  }

  /** a streaming cursor's plan stops (its temp files go) and its snapshot is let go */
  private drop(c: Cursor): void {
    if (c.rows instanceof StreamedRows) c.rows.close();
  }

  /** pg_cursors rows. CURSOR_OPT_BINARY 0x1, CURSOR_OPT_NO_SCROLL 0x4 (parsenodes.h); without NO SCROLL Quiver's cursors scroll back */
  list(): ReturnType<NonNullable<SystemRelationContext['cursors']>> {
    return [...this.open].map(([name, c]) => ({ name, statement: c.statement, holdable: c.hold, binary: (c.options & 1) !== 0, scrollable: (c.options & 4) === 0, created: c.created }));
  }
}
