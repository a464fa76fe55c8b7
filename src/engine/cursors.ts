/**
 * SQL cursors: DECLARE computes the result, FETCH / MOVE walk it, CLOSE drops it. At the
 * end of a transaction non-holdable cursors close (pg_cursors lists the open ones).
 */
import { SqlError, SqlState } from '../errors.js';
import type { SystemRelationContext } from '../catalog/catalog.js';
import { runPlan } from '../executor/operators.js';
import { drainAll } from '../executor/suspend.js';
import type { BoundStatement } from '../sql/statement.js';
import type { Row, Value } from '../types/types.js';
import type { ExecResult, FieldInfo } from '../wire/backend.js';
import type { SessionContext } from './context.js';

/** An open cursor: its result is computed at DECLARE, FETCH and MOVE walk it. */
interface Cursor {
  readonly fields: FieldInfo[];
  readonly rows: Row[];
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

type Declare = Extract<BoundStatement, { kind: 'declare' }>;
type Fetch = Extract<BoundStatement, { kind: 'fetch' }>;

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
    const rows = await drainAll(runPlan(stmt.plan, rc, env), env.checkCancel, rc.slice);
    const fields = stmt.plan.schema.map((c) => ({ name: c.name, type: c.type, tableOid: c.tableOid, columnAttr: c.attnum > 0 ? c.attnum : 0 }));
    this.open.set(stmt.name, { fields, rows, pos: 0, hold: stmt.hold, inTxn: inBlock, statement: stmt.statement, options: stmt.options, created: Date.now() * 1000 });
    return { kind: 'command', tag: 'DECLARE CURSOR' };
  }

  /** FETCH / MOVE [FORWARD|BACKWARD|ABSOLUTE|RELATIVE] [n|ALL] [FROM|IN] name */
  fetch(stmt: Fetch): ExecResult {
    const c = this.open.get(stmt.portal);
    if (!c) throw new SqlError(SqlState.invalidCursorName, `cursor "${stmt.portal}" does not exist`);
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

  /** CLOSE name, or CLOSE ALL (name undefined) */
  close(name: string | undefined): string {
    if (!name) {
      this.open.clear();
      return 'CLOSE CURSOR ALL';
    }
    if (!this.open.delete(name)) throw new SqlError(SqlState.invalidCursorName, `cursor "${name}" does not exist`);
    return 'CLOSE CURSOR';
  }

  /** DISCARD ALL */
  clear(): void {
    this.open.clear();
  }

  /** At COMMIT non-holdable cursors close; at ROLLBACK also those declared in the block. */
  closeAtEnd(committed: boolean): void {
    for (const [name, c] of this.open) {
      if (!c.hold || (!committed && c.inTxn)) this.open.delete(name);
      else c.inTxn = false;
    }
  }

  /** pg_cursors rows. CURSOR_OPT_BINARY 0x1, CURSOR_OPT_NO_SCROLL 0x4 (parsenodes.h); Quiver's cursors can always scroll back */
  list(): ReturnType<NonNullable<SystemRelationContext['cursors']>> {
    return [...this.open].map(([name, c]) => ({ name, statement: c.statement, holdable: c.hold, binary: (c.options & 1) !== 0, scrollable: (c.options & 4) === 0, created: c.created }));
  }
}
