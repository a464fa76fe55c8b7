/**
 * WindowAgg: the functions of one window clause (equal PARTITION BY, ORDER BY and frame:
 * planner/window-plan.ts stacks one WindowAgg per clause) evaluated per row over its frame
 * (ROWS / RANGE / GROUPS, with EXCLUDE) as PostgreSQL's nodeWindowAgg.c does. Output: input
 * columns + one per function.
 *
 * The input arrives in the clause's order (the planner put a Sort below, or the rows were
 * already in it), so the rows of a partition are adjacent and in ORDER BY order: each
 * partition is held, evaluated and handed on as soon as the next one begins, and only one
 * partition is held at a time (work_mem counts that one), where the whole input used to be
 * gathered, split by hashing and each partition sorted here.
 *
 * Frames only move forward (constant offsets over sorted rows), so an aggregate slides:
 * rows entering the frame are stepped in, rows leaving it are taken out with the
 * aggregate's inverse (sum, count, avg …: O(n) per partition). An aggregate without an
 * inverse (min, max, array_agg …) restarts when the frame start moves, as in PostgreSQL.
 */
import { internalError, SqlError } from '../errors.js';
import type { Expr, FrameBound, Plan, WindowFrame } from '../planner/plan.js';
import type { Row, Value } from '../types/types.js';
import { compileExpr, type Compiled, type ExecEnv } from './expr.js';
import { isSuspend, PAUSE, type Step, type Suspend } from './suspend.js';
import type { WorkMem } from './work-mem.js';
import { rowComparator, type RunContext } from './operators.js';
import type { Pacing } from './sort-slices.js';
import { inRangeFor, type InRange } from './window-range.js';

type WindowFn = Extract<Expr, { kind: 'window' }>;

/** `budget`: work_mem for the partition held (past it 53200: a window's partition does not spill yet) */
export function* windowAgg(plan: Extract<Plan, { kind: 'window' }>, input: Iterable<Step>, rc: RunContext, env: ExecEnv, budget?: WorkMem): Iterable<Step> {
  const first = plan.fns[0];
  if (!first) throw internalError('bug: a window node without functions');
  const width = plan.input.schema.length;
  const same = (e: readonly unknown[], f: readonly unknown[]) => e.length === f.length && e.every((x, i) => JSON.stringify(x, bigints) === JSON.stringify(f[i], bigints));
  if (plan.fns.some((f) => !same(f.partitionBy, first.partitionBy) || !same(f.orderBy, first.orderBy))) {
    throw internalError('bug: a window node whose functions are of different window clauses (planner/window-plan.ts)');
  }
  // each held row: the input row, then the PARTITION BY values, then the ORDER BY values
  const keys = [...first.partitionBy, ...first.orderBy.map((k) => k.expr)].map(compileExpr);
  const partitionCmp = rowComparator(first.partitionBy.map((e, i) => ({ index: width + i, type: e.type, desc: false, nullsFirst: false })));
  const orderAt = width + first.partitionBy.length;
  const orderCmp = first.orderBy.length ? rowComparator(first.orderBy.map((k, i) => ({ index: orderAt + i, type: k.expr.type, desc: k.desc, nullsFirst: k.nullsFirst }))) : null;
  const pause = new Pauser({ checkCancel: env.checkCancel, slice: rc.slice });
  if (plan.fns.every((f) => RANKING.has(f.name))) {
    yield* rankAsRead(plan, input, keys, partitionCmp, orderCmp, env, pause);
    return;
  }
  const offsets = plan.fns.map((fn) => new FrameOffsets(fn, env));
  const args = plan.fns.map((fn) => fn.args.map(compileExpr));
  const passes = runConditionTest(plan, env);
  let held: Row[] = [];
  const flush = function* (): Generator<Step, void, unknown> {
    const p = peerGroups(held, orderCmp, orderAt);
    const results: Value[][] = [];
    for (let f = 0; f < plan.fns.length; f++) results.push(yield* evaluatePartition(plan.fns[f], args[f], p, offsets[f], env, pause));
    const out: Row[] = [];
    let failed = false;
    for (let i = 0; i < held.length; i++) {
      const r = held[i];
      r.length = width;
      if (failed) { for (let f = 0; f < results.length; f++) r.push(null); out.push(r); continue; }
      for (const values of results) r.push(values[i]);
      // the Run Condition fails: no later row of this partition passes it either
      if (passes && !passes(r)) {
        if (!plan.passThrough) break;
        failed = true;
        r.length = width;
        for (let f = 0; f < results.length; f++) r.push(null);
      }
      out.push(r);
    }
    held = [];
    budget?.reset();
    yield out;
  };
  for (const step of input) {
    if (isSuspend(step)) { yield step; continue; }
    for (const row of step) {
      const r = [...row];
      for (const k of keys) r.push(k(row, env));
      if (held.length && partitionCmp(held[held.length - 1], r) !== 0) yield* flush();
      budget?.add(r);
      held.push(r);
    }
    yield* pause.now();
  }
  if (held.length) yield* flush();
}

/**
 * The Run Condition's test (planner/window-run-condition.ts), over an output row, or null
 * without one. At the top of its stack a WindowAgg drops the rows of the partition from
 * the first failing it on, as PostgreSQL's top window does (WINDOWAGG_PASSTHROUGH_STRICT,
 * or WINDOWAGG_DONE without PARTITION BY); below the top (passThrough) it hands them on
 * with NULL for its functions (WINDOWAGG_PASSTHROUGH), for the WindowAggs above.
 */
function runConditionTest(plan: Extract<Plan, { kind: 'window' }>, env: ExecEnv): ((row: Row) => boolean) | null {
  if (!plan.runCondition) return null;
  const test = compileExpr(plan.runCondition);
  return (row) => test(row, env) === true;
}

/** functions whose value for a row depends only on the rows before it and its peers' start */
const RANKING = new Set(['row_number', 'rank', 'dense_rank']);

/**
 * row_number, rank and dense_rank need no partition held: each row is numbered as it
 * arrives (a new partition restarts the counts, a new peer group moves rank on) and handed
 * on at once, so a Limit above stops the input early, as PostgreSQL's WindowAgg does for them.
 */
function* rankAsRead(
  plan: Extract<Plan, { kind: 'window' }>, input: Iterable<Step>, keys: readonly Compiled[],
  partitionCmp: (a: Row, b: Row) => number, orderCmp: ((a: Row, b: Row) => number) | null, env: ExecEnv, pause: Pauser,
): Generator<Step, void, unknown> {
  const width = plan.input.schema.length;
  const names = plan.fns.map((f) => f.name);
  const passes = runConditionTest(plan, env);
  const partitioned = plan.fns[0].partitionBy.length > 0;
  const passThrough = plan.passThrough === true;
  let prev: Row | undefined;
  let rowNumber = 0, rank = 0, dense = 0;
  // the Run Condition failed in this partition: its other rows are read and dropped
  let skipping = false;
  let out: Row[] = [];
  for (const step of input) {
    if (isSuspend(step)) { yield step; continue; }
    out = [];
    for (let i = 0; i < step.length; i++) {
      const row = step[i];
      const r = [...row];
      for (const k of keys) r.push(k(row, env));
      if (!prev || partitionCmp(prev, r) !== 0) {
        rowNumber = 0; rank = 0; dense = 0;
        skipping = false;
      } else if (skipping) {
        prev = r;
        if (passThrough) out.push(nulls(r));
        continue;
      } else if (orderCmp) {
        const c = orderCmp(prev, r);
        if (c > 0) throw internalError('bug: a window\'s input is not in its ORDER BY order');
        if (c === 0) { rowNumber++; prev = r; if (!emit(r)) break; continue; }
      } else {
        // without ORDER BY every row of the partition is a peer of the first
        rowNumber++; prev = r; if (!emit(r)) break; continue;
      }
      rowNumber++; rank = rowNumber; dense++;
      prev = r;
      if (!emit(r)) break;
    }
    if (out.length) yield out;
    // without PARTITION BY no later row can pass the Run Condition: the input is not read on
    if (skipping && !partitioned && !passThrough) return;
    yield* pause.now();
  }

  /** the row numbered onto `out` when it passes the Run Condition; false: stop reading (no later row passes) */
  function emit(r: Row): boolean {
    const o = ranked(r);
    if (passes && !passes(o)) {
      skipping = true;
      if (passThrough) out.push(nulls(r));
      return partitioned || passThrough;
    }
    out.push(o);
    return true;
  }

  /** a row handed on past the Run Condition: NULL for this WindowAgg's functions */
  function nulls(r: Row): Row {
    const o = r.slice(0, width);
    for (let f = 0; f < names.length; f++) o.push(null);
    return o;
  }

  function ranked(r: Row): Row {
    const o = r.slice(0, width);
    for (const n of names) o.push(BigInt(n === 'row_number' ? rowNumber : n === 'rank' ? rank : dense));
    return o;
  }
}

const bigints = (_: string, v: unknown): unknown => (typeof v === 'bigint' ? `${v}n` : _ === 'position' ? undefined : v);

/**
 * Lets the window operator give the thread up: a partition can be millions of rows and an
 * aggregate without an inverse is quadratic in its frame, so the loops check cancel and
 * the time slice every 256 rows instead of running the whole input in one go.
 */
class Pauser {
  private n = 0;
  constructor(readonly pace: Pacing) {}

  /** yield* pause.tick() inside a loop: PAUSE once the slice is used up */
  *tick(): Generator<Suspend, void, unknown> {
    if ((++this.n & 0xff) !== 0) return;
    yield* this.now();
  }

  *now(): Generator<Suspend, void, unknown> {
    this.pace.checkCancel();
    if (this.pace.slice?.due()) yield PAUSE;
  }
}

/** One sorted partition and its peer groups (rows equal on the ORDER BY keys). */
interface Partition {
  readonly rows: Row[];
  readonly n: number;
  readonly peerStart: Int32Array;
  readonly peerEnd: Int32Array;
  /** peer group number of each row */
  readonly group: Int32Array;
  readonly groupStart: number[];
  readonly groupEnd: number[];
  /** index in each row of the first ORDER BY key value */
  readonly keyIndex: number;
}

function peerGroups(rows: Row[], cmp: ((a: Row, b: Row) => number) | null, keyIndex: number): Partition {
  const n = rows.length;
  const peerStart = new Int32Array(n), peerEnd = new Int32Array(n), group = new Int32Array(n);
  const groupStart: number[] = [], groupEnd: number[] = [];
  for (let i = 0; i < n;) {
    let j = i + 1;
    if (!cmp) j = n;
    else while (j < n && cmp(rows[i], rows[j]) === 0) j++;
    // the planner promises the window's order (window-plan.ts): rows out of it are a bug, not wrong answers
    if (j < n && cmp!(rows[i], rows[j]) > 0) throw internalError('bug: a window\'s input is not in its ORDER BY order');
    for (let x = i; x < j; x++) { peerStart[x] = i; peerEnd[x] = j; group[x] = groupStart.length; }
    groupStart.push(i);
    groupEnd.push(j);
    i = j;
  }
  return { rows, n, peerStart, peerEnd, group, groupStart, groupEnd, keyIndex };
}

// The ranking functions ignore the frame; the value functions and aggregates use it.
function* evaluatePartition(fn: WindowFn, args: readonly Compiled[], p: Partition, offsets: FrameOffsets, env: ExecEnv, pause: Pauser): Generator<Suspend, Value[], unknown> {
  const { rows, n, peerStart, peerEnd } = p;
  const results: Value[] = new Array(n).fill(null);
  switch (fn.name) {
    case 'row_number': for (let i = 0; i < n; i++) results[i] = BigInt(i + 1); return results;
    case 'rank': for (let i = 0; i < n; i++) results[i] = BigInt(peerStart[i] + 1); return results;
    case 'dense_rank': for (let i = 0; i < n; i++) results[i] = BigInt(p.group[i] + 1); return results;
    case 'percent_rank': for (let i = 0; i < n; i++) results[i] = n > 1 ? peerStart[i] / (n - 1) : 0; return results;
    case 'cume_dist': for (let i = 0; i < n; i++) results[i] = peerEnd[i] / n; return results;
    case 'ntile': return ntile(args[0], p, env);
    case 'lag': case 'lead': {
      for (let i = 0; i < n; i++) {
        const off = args[1] ? args[1](rows[i], env) : 1;
        if (off === null) continue;
        const j = fn.name === 'lag' ? i - Number(off) : i + Number(off);
        results[i] = j >= 0 && j < n ? args[0](rows[j], env) : args[2] ? args[2](rows[i], env) : null;
      }
      return results;
    }
  }
  const frames = computeFrames(fn.frame, p, offsets, fn, env);
  switch (fn.name) {
    case 'first_value': case 'last_value': case 'nth_value':
      for (let i = 0; i < n; i++) {
        yield* pause.tick();
        let k: number;
        if (fn.name === 'nth_value') {
          const v = args[1](rows[i], env);
          if (v === null) continue;
          k = Number(v);
          if (k <= 0) throw new SqlError('22016', 'argument of nth_value must be greater than zero');
        } else {
          k = fn.name === 'first_value' ? 1 : -1;
        }
        const j = nthInFrame(frameSegments(fn.frame.exclude, p, i, frames.start[i], frames.end[i]), k);
        results[i] = j === undefined ? null : args[0](rows[j], env);
      }
      return results;
    default:
      return yield* aggregateOverFrames(fn, p, frames, args, env, pause);
  }
}

function ntile(arg: Compiled, p: Partition, env: ExecEnv): Value[] {
  const n = p.n;
  const results: Value[] = new Array(n).fill(null);
  const v = n ? arg(p.rows[0], env) : null;
  if (v === null) return results;
  const buckets = Number(v);
  if (!(buckets > 0)) throw new SqlError('22014', 'argument of ntile must be greater than zero');
  const size = Math.floor(n / buckets);
  const extra = n % buckets;
  let i = 0;
  for (let b = 1; b <= buckets && i < n; b++) {
    const len = size + (b <= extra ? 1 : 0);
    for (let x = 0; x < len && i < n; x++) results[i++] = b;
  }
  return results;
}

// ------------------------------------------------------------------ frames

/** Offsets are evaluated once per execution, and checked only once a partition needs them. */
class FrameOffsets {
  private values?: { start: Value; end: Value };
  private inRange?: { start?: InRange; end?: InRange };

  constructor(private readonly fn: WindowFn, private readonly env: ExecEnv) {}

  get(): { start: Value; end: Value } {
    if (this.values) return this.values;
    const f = this.fn.frame;
    this.values = { start: this.evaluate(f.start, 'starting'), end: this.evaluate(f.end, 'ending') };
    return this.values;
  }

  rangeTest(which: 'start' | 'end'): InRange {
    this.inRange ??= {};
    const cached = this.inRange[which];
    if (cached) return cached;
    const made = inRangeFor(this.fn.orderBy[0].expr.type, this.get()[which], this.env.ctx);
    this.inRange[which] = made;
    return made;
  }

  private evaluate(bound: FrameBound, which: string): Value {
    if (bound.kind !== 'preceding' && bound.kind !== 'following') return null;
    const v = compileExpr(bound.offset)([], this.env);
    if (v === null) throw new SqlError('22004', `frame ${which} offset must not be null`);
    if (this.fn.frame.mode !== 'range' && (v as bigint) < 0n) throw new SqlError('22013', `frame ${which} offset must not be negative`);
    return v;
  }
}

interface Frames { readonly start: Int32Array; readonly end: Int32Array }

/** [start, end) of every row's frame, before EXCLUDE. Both only ever move forward. */
function computeFrames(frame: WindowFrame, p: Partition, offsets: FrameOffsets, fn: WindowFn, env: ExecEnv): Frames {
  void env;
  const n = p.n;
  const start = new Int32Array(n), end = new Int32Array(n);
  const off = frame.start.kind === 'preceding' || frame.start.kind === 'following' || frame.end.kind === 'preceding' || frame.end.kind === 'following'
    ? offsets.get() : { start: null, end: null };
  if (frame.mode === 'range' && (off.start !== null || off.end !== null)) return rangeOffsetFrames(frame, p, offsets, fn);
  for (let i = 0; i < n; i++) {
    start[i] = frameEdge(frame.mode, frame.start, off.start, p, i, true);
    end[i] = frameEdge(frame.mode, frame.end, off.end, p, i, false);
  }
  return { start, end };
}

/** One frame edge of row i for ROWS, GROUPS, and RANGE without offsets (exclusive end). */
function frameEdge(mode: WindowFrame['mode'], bound: FrameBound, offset: Value, p: Partition, i: number, isStart: boolean): number {
  const n = p.n;
  const clamp = (x: number) => Math.max(0, Math.min(n, x));
  switch (bound.kind) {
    case 'unboundedPreceding': return 0;
    case 'unboundedFollowing': return n;
    case 'currentRow':
      if (mode === 'rows') return isStart ? i : i + 1;
      return isStart ? p.peerStart[i] : p.peerEnd[i];
  }
  const k = Number(offset as bigint) * (bound.kind === 'preceding' ? -1 : 1);
  if (mode === 'rows') return clamp(isStart ? i + k : i + k + 1);
  // GROUPS: whole peer groups k before / after the current one
  const g = p.group[i] + k;
  const groups = p.groupStart.length;
  if (isStart) return g < 0 ? 0 : g >= groups ? n : p.groupStart[g];
  return g < 0 ? 0 : g >= groups ? n : p.groupEnd[g];
}

/**
 * RANGE with an offset: the frame holds the rows whose key is within current key ± offset
 * (nodeWindowAgg.c update_frameheadpos / update_frametailpos). A NULL key's frame is its
 * NULL peers; NULL keys are outside every non-NULL row's frame.
 */
function rangeOffsetFrames(frame: WindowFrame, p: Partition, offsets: FrameOffsets, fn: WindowFn): Frames {
  const n = p.n;
  const start = new Int32Array(n), end = new Int32Array(n);
  const { desc, nullsFirst } = fn.orderBy[0];
  const key = (j: number) => p.rows[j][p.keyIndex];
  const offsetValues = offsets.get();
  // is row j before the frame of row i (start edge) / after it (end edge)?
  const outside = (bound: FrameBound, offset: Value, isStart: boolean, which: 'start' | 'end') => {
    if (bound.kind === 'currentRow') return isStart ? (j: number, i: number) => j < p.peerStart[i] : (j: number, i: number) => j >= p.peerEnd[i];
    let sub = bound.kind === 'preceding';
    let less = !isStart;
    if (desc) { sub = !sub; less = !less; }
    return (j: number, i: number): boolean => {
      const base = key(i), val = key(j);
      if (base === null) return val === null ? false : isStart ? !nullsFirst : nullsFirst;
      if (val === null) return isStart ? nullsFirst : !nullsFirst;
      return !offsets.rangeTest(which)(val, base, offset, sub, less);
    };
  };
  let h = 0, t = 0;
  const before = frame.start.kind === 'unboundedPreceding' ? null : outside(frame.start, offsetValues.start, true, 'start');
  const after = frame.end.kind === 'unboundedFollowing' ? null : outside(frame.end, offsetValues.end, false, 'end');
  for (let i = 0; i < n; i++) {
    if (before) while (h < n && before(h, i)) h++;
    if (after) { while (t < n && !after(t, i)) t++; } else t = n;
    start[i] = h;
    end[i] = t;
  }
  return { start, end };
}

/** The frame of row i as at most three [from, to) pieces once EXCLUDE took rows out. */
function frameSegments(exclude: WindowFrame['exclude'], p: Partition, i: number, s: number, e: number): [number, number][] {
  const pieces: [number, number][] = [];
  const add = (a: number, b: number) => { if (a < b) pieces.push([a, b]); };
  const ps = p.peerStart[i], pe = p.peerEnd[i];
  switch (exclude) {
    case 'noOthers': add(s, e); break;
    case 'currentRow': add(s, Math.min(e, i)); add(Math.max(s, i + 1), e); break;
    case 'group': add(s, Math.min(e, ps)); add(Math.max(s, pe), e); break;
    case 'ties': add(s, Math.min(e, ps)); add(Math.max(s, i), Math.min(e, i + 1)); add(Math.max(s, pe), e); break;
  }
  return pieces;
}

/** The k-th row (1-based; -1 = the last) of the frame pieces, or undefined. */
function nthInFrame(pieces: [number, number][], k: number): number | undefined {
  if (k < 0) return pieces.length ? pieces[pieces.length - 1][1] - 1 : undefined;
  for (const [a, b] of pieces) {
    if (k <= b - a) return a + k - 1;
    k -= b - a;
  }
  return undefined;
}

// ------------------------------------------------------------------ aggregates over frames

function* aggregateOverFrames(fn: WindowFn, p: Partition, frames: Frames, args: readonly Compiled[], env: ExecEnv, pause: Pauser): Generator<Suspend, Value[], unknown> {
  const agg = fn.fn!;
  const n = p.n;
  const results: Value[] = new Array(n).fill(null);
  const argValues = p.rows.map((r) => args.map((a) => a(r, env)));
  const skip = (j: number) => agg.strict && argValues[j].some((v) => v === null);
  const add = (state: unknown, j: number) => (skip(j) ? state : agg.step(state, argValues[j], env.ctx));
  if (fn.frame.exclude !== 'noOthers') {
    // each row leaves out its own rows: aggregate every frame afresh
    for (let i = 0; i < n; i++) {
      yield* pause.tick();
      let state = agg.init();
      for (const [a, b] of frameSegments(fn.frame.exclude, p, i, frames.start[i], frames.end[i])) for (let j = a; j < b; j++) state = add(state, j);
      results[i] = agg.final(state, env.ctx);
    }
    return results;
  }
  let state = agg.init();
  let from = 0, to = 0; // rows [from, to) are in `state`
  for (let i = 0; i < n; i++) {
    yield* pause.tick();
    const s = frames.start[i], e = Math.max(frames.start[i], frames.end[i]);
    if (i > 0 && s === frames.start[i - 1] && frames.end[i] === frames.end[i - 1]) { results[i] = results[i - 1]; continue; }
    if (s > from) {
      let restart = !agg.inverse || s >= to;
      for (let j = from; j < s && !restart; j++) {
        if (skip(j)) continue;
        const next = agg.inverse!(state, argValues[j], env.ctx);
        if (next === undefined) restart = true;
        else state = next;
      }
      if (restart) { state = agg.init(); to = s; }
      from = s;
    }
    for (; to < e; to++) state = add(state, to);
    results[i] = agg.final(state, env.ctx);
  }
  return results;
}
