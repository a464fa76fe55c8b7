/**
 * Joins without LATERAL: the right side is the build side, held in memory (a hash table
 * on the join keys for a hash join, a list for a nested loop), and the left side streams
 * past it. A hash join whose build side outgrows work_mem becomes a grace hash join: both
 * sides are split by the hash of their keys into temp files, and each pair of partitions
 * is joined on its own (split again if its build side is still too big). A nested loop
 * cannot be split that way and fails with 53200 past work_mem.
 */
import type { Expr, Plan } from '../planner/plan.js';
import { hashableJoinKeys } from '../planner/join-keys.js';
import { hashKey } from '../types/compare.js';
import type { Row, Value } from '../types/types.js';
import { compileExpr, type ExecEnv } from './expr.js';
import type { RunContext } from './operators.js';
import { removedCounter } from './removed-rows.js';
import { TupleShapes } from '../planner/pg-memory.js';
import { HashPartitions, MAX_DEPTH, readBack } from './spill/hash-partitions.js';
import { SpillFiles } from './spill/temp-files.js';
import { PAUSE, isSuspend, tooManyRows, MAX_MATERIALIZED_ROWS, type Step } from './suspend.js';
import { gatherWithin, workMemFor } from './work-mem.js';

type JoinPlan = Extract<Plan, { kind: 'join' }>;
type Keys = NonNullable<ReturnType<typeof hashableJoinKeys>>;

/** a hash join's build row: its key string and its place in the key's list */
const HASH_ENTRY_BYTES = 64;

/** How a hash join or hash aggregate spilled, for EXPLAIN ANALYZE ("Batches: 32  Disk Usage: …"). */
interface HashSpillStats { batches: number; diskBytes: number }

/** Which input is hashed (held), which streams past it. */
interface Sides { readonly build: 'left' | 'right'; readonly probe: 'left' | 'right' }
const BUILD_RIGHT: Sides = { build: 'right', probe: 'left' };
const BUILD_LEFT: Sides = { build: 'left', probe: 'right' };

export function* join(plan: JoinPlan, rc: RunContext, env: ExecEnv, runChild: (p: Plan) => Iterable<Step>): Iterable<Step> {
  // the planner chose the algorithm and, for an inner join, the side to hash by cost (rules/choose-join-algorithm.ts)
  const keys = plan.algorithm === 'nestloop' ? null : hashableJoinKeys(plan.on, plan.left.schema.length);
  if (!keys) {
    const rightRows = yield* gatherWithin(runChild(plan.right), workMemFor(rc.workMemBytes, 'join'));
    yield* probe(plan, null, rightRows, runChild(plan.left), rc, env, BUILD_RIGHT);
    return;
  }
  const sides = plan.hashBuild === 'left' && plan.joinType !== 'semi' && plan.joinType !== 'anti' ? BUILD_LEFT : BUILD_RIGHT;
  const buildPlan = sides.build === 'left' ? plan.left : plan.right;
  const probePlan = sides.build === 'left' ? plan.right : plan.left;
  const keyOf = keyFunction(keys, env);
  const budget = workMemFor(rc.workMemBytes, 'hash join');
  const files = rc.tempSpace && new SpillFiles(rc.tempSpace, 'hashjoin');
  const stats: HashSpillStats = { batches: 0, diskBytes: 0 };
  // EXPLAIN ANALYZE: the rows the hash table took, for PostgreSQL's Memory Usage (pg-memory.ts)
  const held = rc.memoryStats && new TupleShapes(buildPlan.schema.map((c) => c.type));
  if (held) rc.memoryStats!.set(plan, { kind: 'hashJoin', tuples: held });
  try {
    let rightRows: Row[] = [];
    let build: HashPartitions | undefined;
    for (const batch of runChild(buildPlan)) {
      if (isSuspend(batch)) { yield batch; continue; }
      if (build) {
        for (const r of batch) build.add(keyOf(r, sides.build), r);
        continue;
      }
      if (rightRows.length + batch.length > MAX_MATERIALIZED_ROWS) throw tooManyRows();
      for (const r of batch) {
        if (build) { build.add(keyOf(r, sides.build), r); continue; }
        rightRows.push(r);
        if (!budget || budget.tryAdd(r, HASH_ENTRY_BYTES)) continue;
        if (!files) throw budget.exceeded();
        build = new HashPartitions(files, 0);
        for (const x of rightRows) build.add(keyOf(x, sides.build), x);
        rightRows = [];
      }
    }
    if (!build) {
      yield* probe(plan, keys, rightRows, runChild(probePlan), rc, env, sides, held);
      return;
    }
    const probeSide = new HashPartitions(files!, 0);
    yield* partitionInto(probeSide, runChild(probePlan), (l) => keyOf(l, sides.probe), rc, env);
    yield* joinPartitions(plan, keys, build, probeSide, files!, rc, env, stats, sides, held);
  } finally {
    if (files) {
      files.removeAll();
      if (files.diskBytes > 0) rc.spillStats?.set(plan, { kind: 'hash', batches: stats.batches, diskBytes: files.diskBytes });
    }
  }
}

/** Each pair of partitions joined on its own; a build side still too big is split again. */
function* joinPartitions(
  plan: JoinPlan, keys: Keys, build: HashPartitions, probeSide: HashPartitions, files: SpillFiles, rc: RunContext, env: ExecEnv, stats: HashSpillStats, sides: Sides,
  held?: TupleShapes,
): Generator<Step, void, unknown> {
  const keyOf = keyFunction(keys, env);
  const pace = { checkCancel: env.checkCancel, slice: rc.slice };
  for (let i = 0; i < build.parts.length; i++) {
    const budget = workMemFor(rc.workMemBytes, 'hash join');
    const rightRows: Row[] = [];
    let fits = true;
    for (const step of readBack(build.parts[i], pace)) {
      if (isSuspend(step)) { yield step; continue; }
      for (const r of step) {
        rightRows.push(r);
        if (budget && !budget.tryAdd(r, HASH_ENTRY_BYTES)) fits = false;
      }
      if (!fits) break;
    }
    if (fits) {
      stats.batches++;
      yield* probe(plan, keys, rightRows, readBack(probeSide.parts[i], pace), rc, env, sides, held);
    } else {
      // every row of one key lands in one partition: too many of one key cannot be split
      if (build.depth + 1 >= MAX_DEPTH) throw budget!.exceeded();
      rightRows.length = 0;
      const subBuild = new HashPartitions(files, build.depth + 1);
      yield* partitionInto(subBuild, readBack(build.parts[i], pace), (r) => keyOf(r, sides.build), rc, env);
      const subProbe = new HashPartitions(files, build.depth + 1);
      yield* partitionInto(subProbe, readBack(probeSide.parts[i], pace), (l) => keyOf(l, sides.probe), rc, env);
      build.release(i);
      probeSide.release(i);
      yield* joinPartitions(plan, keys, subBuild, subProbe, files, rc, env, stats, sides, held);
    }
    build.release(i);
    probeSide.release(i);
  }
}

function* partitionInto(parts: HashPartitions, steps: Iterable<Step>, keyOf: (r: Row) => string | null, rc: RunContext, env: ExecEnv): Generator<Step, void, unknown> {
  for (const batch of steps) {
    if (isSuspend(batch)) { yield batch; continue; }
    for (const r of batch) parts.add(keyOf(r), r);
    env.checkCancel();
    if (rc.slice?.due()) yield PAUSE;
  }
}

/** A key's value on one side's row: a plain column read, an expression (`b.id + 1`) computed. */
function keyReader(e: Expr, env: ExecEnv): (r: Row) => Value {
  if (e.kind === 'column') {
    const at = e.index;
    return (r) => r[at];
  }
  const compiled = compileExpr(e);
  return (r) => compiled(r, env);
}

function keyFunction(keys: Keys, env: ExecEnv): (r: Row, side: 'left' | 'right') => string | null {
  const left = keys.map((k) => keyReader(k.leftExpr, env));
  const right = keys.map((k) => keyReader(k.rightExpr, env));
  return (r, side) => {
    const read = side === 'left' ? left : right;
    let k = '';
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const v = read[i](r);
      if (v === null) return null;
      // int4 = int8: a number and a bigint of one value hash alike (their digits)
      if (key.crossType) {
        k += `${String(v)}|`;
        continue;
      }
      const h = hashKey(key.type, v);
      k += typeof h === 'bigint' ? `${h}n|` : `${String(h)}|`;
    }
    return k;
  };
}

/**
 * The probe side's rows against the build side held in `rightRows` (the right input's rows,
 * or the left's for an inner or outer join that hashes its left input: output rows are
 * always left columns then right columns). A preserved probe row without a match comes out
 * NULL-extended at once, a preserved build row without one last (PostgreSQL's Hash Right
 * Join of a LEFT JOIN that hashes its left input keeps its build side so).
 */
function* probe(plan: JoinPlan, keys: Keys | null, rightRows: Row[], leftSteps: Iterable<Step>, rc: RunContext, env: ExecEnv, sides: Sides, held?: TupleShapes): Generator<Step, void, unknown> {
  const buildLeft = sides.build === 'left';
  const keyOf = keys && keyFunction(keys, env);
  const on = plan.on ? compileExpr(plan.on) : null;
  // pairs of equal hash keys (a nested loop: every pair) the rest of the ON rejects: Rows Removed by Join Filter
  const removed = on ? removedCounter(rc.removedRows, plan) : undefined;
  const nullRight: Value[] = new Array(plan.right.schema.length).fill(null);
  const nullLeft: Value[] = new Array(plan.left.schema.length).fill(null);
  const keepsLeft = plan.joinType === 'left' || plan.joinType === 'full';
  const keepsRight = plan.joinType === 'right' || plan.joinType === 'full';
  const keepsProbe = buildLeft ? keepsRight : keepsLeft;
  const rightMatched = (buildLeft ? keepsLeft : keepsRight) ? new Uint8Array(rightRows.length) : null;
  const leftOnly = plan.joinType === 'semi' || plan.joinType === 'anti';
  let table: Map<string, number[]> | null = null;
  if (keyOf) {
    table = new Map();
    for (let i = 0; i < rightRows.length; i++) {
      const k = keyOf(rightRows[i], sides.build);
      // a NULL key is not hashed, unless the build side is preserved (ExecHashGetHashValue's keep_nulls)
      if (held && (k !== null || rightMatched)) held.add(rightRows[i]);
      if (k !== null) {
        const list = table.get(k);
        if (list) list.push(i);
        else table.set(k, [i]);
      }
      if ((i & 0x3ff) === 0x3ff && rc.slice?.due()) yield PAUSE;
    }
  }
  const allRight = rightRows.map((_, i) => i);
  let pairs = 0;
  for (const batch of leftSteps) {
    if (isSuspend(batch)) { yield batch; continue; }
    env.checkCancel();
    const out: Row[] = [];
    for (const l of batch) {
      let matched = false;
      let candidates: number[];
      if (table) {
        const k = keyOf!(l, sides.probe);
        candidates = k === null ? [] : table.get(k) ?? [];
      } else candidates = allRight;
      for (const i of candidates) {
        if ((++pairs & 0x3ff) === 0) {
          // a nested loop over big inputs: let others run (and cancel arrive) meanwhile
          env.checkCancel();
          if (rc.slice?.due()) yield PAUSE;
        }
        const combined = buildLeft ? [...rightRows[i], ...l] : [...l, ...rightRows[i]];
        if (on && on(combined, env) !== true) {
          if (removed) removed.n++;
          continue;
        }
        matched = true;
        // a semi or anti join needs one match: the left row's fate is known
        if (leftOnly) break;
        if (rightMatched) rightMatched[i] = 1;
        out.push(combined);
        if (out.length >= 65536) {
          // a cross product can be huge: hand it up in bounded batches
          env.checkCancel();
          yield out.splice(0, out.length);
          if (rc.slice?.due()) yield PAUSE;
        }
      }
      if (leftOnly) {
        if (matched === (plan.joinType === 'semi')) out.push(l);
      } else if (!matched && keepsProbe) out.push(buildLeft ? [...nullLeft, ...l] : [...l, ...nullRight]);
    }
    if (out.length) yield out;
  }
  if (rightMatched) {
    const out: Row[] = [];
    rightRows.forEach((r, i) => {
      if (!rightMatched[i]) out.push(buildLeft ? [...r, ...nullRight] : [...nullLeft, ...r]);
    });
    if (out.length) yield out;
  }
}
