/**
 * Merge Join: both inputs arrive sorted on the merge keys (the join's equality keys, or those
 * an index order gives, planner/merge-join-path.ts), ascending or both descending (a Sort or
 * an ordered Index Scan below), and are walked side by side. The
 * inner rows of one key value are held while the outer rows of that value pass them: that is
 * PostgreSQL's mark / restore (every outer row of a value meets every inner row of it), done
 * by keeping the group instead of rescanning the inner input.
 *
 * A row with a NULL key matches nothing: it is handed on at once as unmatched (null-extended
 * for an outer join, kept by an anti join) and skipped. Dropping rows keeps the others in
 * order, so the walk needs no rule for where the NULLs sort. The whole ON is still evaluated
 * on each pair of equal keys (its other conditions decide a match, as Join Filter does).
 *
 * Output rows are left columns then right columns; the planner may make the right input the
 * outer one (`mergeOuter: 'right'`; a left join then walks as a right join).
 */
import type { Expr, Plan } from '../planner/plan.js';
import { mergeJoinType, mergeKeysOf } from '../planner/merge-join-cost.js';
import { compareValues } from '../types/compare.js';
import type { Row, Value } from '../types/types.js';
import { compileExpr, type ExecEnv } from './expr.js';
import type { RunContext } from './operators.js';
import { removedCounter } from './removed-rows.js';
import { PAUSE, isSuspend, tooManyRows, MAX_MATERIALIZED_ROWS, type Step, type Suspend } from './suspend.js';

type JoinPlan = Extract<Plan, { kind: 'join' }>;

/** rows handed up at a time */
const OUTPUT_BATCH = 1024;

/** One input read a row at a time; its suspensions are passed up by the caller's `yield*`. */
class RowCursor {
  private batch: Row[] = [];
  private pos = 0;
  private done = false;
  constructor(private readonly it: Iterator<Step>) {}

  *next(): Generator<Suspend, Row | undefined, unknown> {
    while (this.pos >= this.batch.length) {
      if (this.done) return undefined;
      const r = this.it.next();
      if (r.done) {
        this.done = true;
        return undefined;
      }
      if (isSuspend(r.value)) {
        yield r.value;
        continue;
      }
      this.batch = r.value;
      this.pos = 0;
    }
    return this.batch[this.pos++];
  }

  close(): void {
    this.it.return?.();
  }
}

export function* mergeJoin(plan: JoinPlan, rc: RunContext, env: ExecEnv, runChild: (p: Plan) => Iterable<Step>): Iterable<Step> {
  // the merge clauses (the ON's other conditions, equalities too, are tested on each pair below)
  const keys = mergeKeysOf(plan);
  // inputs in descending key order: the walk compares the other way round
  const direction = plan.mergeDesc ? -1 : 1;
  const outerIsRight = plan.mergeOuter === 'right';
  // each key's value on an outer and on an inner row: a column, or an expression (`b.id + 1`) computed once per row
  const outerKeys = keys.map((k) => keyReader(outerIsRight ? k.rightExpr : k.leftExpr, env));
  const innerKeys = keys.map((k) => keyReader(outerIsRight ? k.leftExpr : k.rightExpr, env));
  const types = keys.map((k) => k.type);
  const on = compileExpr(plan.on!);
  // pairs of equal merge keys the rest of the ON rejects: Rows Removed by Join Filter
  const removed = removedCounter(rc.removedRows, plan);
  // the join type as seen from the outer input (a left join read right input first is a right join)
  const jt = mergeJoinType(plan);
  const keepOuter = jt === 'left' || jt === 'full';
  const keepInner = jt === 'right' || jt === 'full';
  const leftOnly = jt === 'semi' || jt === 'anti';
  const nullRight: Value[] = new Array(plan.right.schema.length).fill(null);
  const nullLeft: Value[] = new Array(plan.left.schema.length).fill(null);
  const pair = (o: Row, i: Row): Row => (outerIsRight ? [...i, ...o] : [...o, ...i]);
  const hasNull = (r: Row, readers: readonly KeyReader[]) => readers.some((read) => read(r) === null);
  const compare = (o: Row, i: Row): number => {
    for (let k = 0; k < types.length; k++) {
      const c = compareValues(types[k], outerKeys[k](o), innerKeys[k](i));
      if (c !== 0) return c * direction;
    }
    return 0;
  };
  const sameInnerKey = (a: Row, b: Row): boolean => {
    for (let k = 0; k < types.length; k++) if (compareValues(types[k], innerKeys[k](a), innerKeys[k](b)) !== 0) return false;
    return true;
  };

  const outer = new RowCursor(runChild(outerIsRight ? plan.right : plan.left)[Symbol.iterator]());
  const inner = new RowCursor(runChild(outerIsRight ? plan.left : plan.right)[Symbol.iterator]());
  let out: Row[] = [];
  let seen = 0;
  let pairs = 0;
  /** an outer row without a match */
  const outerAlone = (o: Row) => {
    if (jt === 'anti') out.push(o);
    else if (keepOuter) out.push(outerIsRight ? [...nullLeft, ...o] : [...o, ...nullRight]);
  };
  const innerAlone = (i: Row) => {
    if (keepInner) out.push(outerIsRight ? [...i, ...nullRight] : [...nullLeft, ...i]);
  };
  try {
    // the next row of each side with no NULL key (those are handed on unmatched as they pass)
    const nextOuter = function* (): Generator<Suspend, Row | undefined, unknown> {
      for (;;) {
        const o = yield* outer.next();
        if (o === undefined || !hasNull(o, outerKeys)) return o;
        outerAlone(o);
      }
    };
    const nextInner = function* (): Generator<Suspend, Row | undefined, unknown> {
      for (;;) {
        const i = yield* inner.next();
        if (i === undefined || !hasNull(i, innerKeys)) return i;
        innerAlone(i);
      }
    };
    let o = yield* nextOuter();
    let i = yield* nextInner();
    while (o !== undefined) {
      // the inner input ran out: the outer rows left have no match, and only an outer or
      // anti join hands them on (an inner or semi join stops reading, as PostgreSQL's does)
      if (i === undefined && !keepOuter && jt !== 'anti') break;
      if ((++seen & 0x3ff) === 0) {
        env.checkCancel();
        if (rc.slice?.due()) yield PAUSE;
      }
      if (out.length >= OUTPUT_BATCH) {
        yield out;
        out = [];
      }
      const c = i === undefined ? -1 : compare(o, i);
      if (c < 0) {
        outerAlone(o);
        o = yield* nextOuter();
        continue;
      }
      if (c > 0) {
        innerAlone(i!);
        i = yield* nextInner();
        continue;
      }
      // the inner rows of this key value, held while the outer rows of the value pass them
      const group: Row[] = [i!];
      for (;;) {
        i = yield* nextInner();
        if (i === undefined || !sameInnerKey(i, group[0])) break;
        if (group.length >= MAX_MATERIALIZED_ROWS) throw tooManyRows();
        group.push(i);
      }
      const matched = keepInner ? new Uint8Array(group.length) : null;
      while (o !== undefined && compare(o, group[0]) === 0) {
        let any = false;
        for (let g = 0; g < group.length; g++) {
          if ((++pairs & 0x3ff) === 0) {
            // many equal keys whose other conditions fail: let others run (and cancel arrive) meanwhile
            env.checkCancel();
            if (rc.slice?.due()) yield PAUSE;
          }
          const combined = pair(o, group[g]);
          if (on(combined, env) !== true) {
            if (removed) removed.n++;
            continue;
          }
          any = true;
          if (leftOnly) break;
          if (matched) matched[g] = 1;
          out.push(combined);
          if (out.length >= OUTPUT_BATCH) {
            // many duplicates on both sides: hand the pairs up in bounded batches
            env.checkCancel();
            yield out;
            out = [];
            if (rc.slice?.due()) yield PAUSE;
          }
        }
        if (jt === 'semi' ? any : !any) {
          if (jt === 'semi') out.push(o);
          else outerAlone(o);
        }
        o = yield* nextOuter();
      }
      if (matched) for (let g = 0; g < group.length; g++) if (!matched[g]) innerAlone(group[g]);
    }
    // the outer side ran out: the inner rows left have no match
    if (keepInner) {
      while (i !== undefined) {
        innerAlone(i);
        if (out.length >= OUTPUT_BATCH) {
          yield out;
          out = [];
          env.checkCancel();
          if (rc.slice?.due()) yield PAUSE;
        }
        i = yield* nextInner();
      }
    }
    if (out.length) yield out;
  } finally {
    outer.close();
    inner.close();
  }
}

type KeyReader = (r: Row) => Value;

/**
 * A merge key's value on a row: a plain column read, or an expression computed once per row
 * (the walk compares a row's key many times) and kept with the row.
 */
function keyReader(e: Expr, env: ExecEnv): KeyReader {
  if (e.kind === 'column') {
    const at = e.index;
    return (r) => r[at];
  }
  const compiled = compileExpr(e);
  const computed = new WeakMap<Row, Value>();
  return (r) => {
    let v = computed.get(r);
    if (v === undefined) computed.set(r, (v = compiled(r, env)));
    return v;
  };
}
