/**
 * For tests that run plans in this process: a session over a durable storage, a session's
 * optimized plan of a query with the run context and expression environment the session
 * would execute it with (so a test can call executor functions — runPlan, the vector search
 * paths — on it directly), batched inserts, and a seeded generator of vector literals.
 * Importing this module does nothing.
 */
import { Engine } from '../../src/engine/engine.js';
import { loadParser } from '../../src/sql/parser.js';
import { DurableStorage } from '../../src/storage/durable-storage.js';
import type { ExecEnv } from '../../src/executor/expr.js';
import type { RunContext } from '../../src/executor/operators.js';
import type { Plan } from '../../src/planner/plan.js';
import type { Value } from '../../src/types/types.js';
import type { Backend } from '../../src/wire/backend.js';

/** A storage in `dir` (no background work), one session on it as postgres, and a way to run a statement there. */
export async function openSession(dir: string): Promise<{ storage: DurableStorage; backend: Backend; sql: (text: string) => Promise<void> }> {
  await loadParser();
  const storage = await DurableStorage.open({ dataDir: dir, background: false });
  const backend = new Engine(storage).create();
  backend.startup({ user: 'postgres', database: 'postgres' });
  const sql = async (text: string) => { await backend.execute(backend.prepare(text, []), []); };
  return { storage, backend, sql };
}

/** INSERT INTO table the rows from..to-1, each `row(i)` (a parenthesized tuple), 500 a statement. */
export async function insertRows(sql: (text: string) => Promise<void>, table: string, from: number, to: number, row: (i: number) => string): Promise<void> {
  for (let start = from; start < to; start += 500) {
    const values: string[] = [];
    for (let i = start; i < Math.min(to, start + 500); i++) values.push(row(i));
    await sql(`INSERT INTO ${table} VALUES ${values.join(',')}`);
  }
}

/** What the tests need of a session beyond the Backend interface. */
interface SessionInternals {
  runContext(txn: undefined): RunContext;
  execEnv(params: readonly Value[], rc: RunContext): ExecEnv;
}

/** The plan of `text` as the session prepared it, and a run context and environment for it (outside a transaction). */
export function sessionPlan(backend: Backend, text: string): { plan: Plan; rc: RunContext; env: ExecEnv } {
  const stmt = backend.prepare(text, []) as unknown as { bound: { plan: Plan } };
  const session = backend as unknown as SessionInternals;
  const rc = session.runContext(undefined);
  return { plan: stmt.bound.plan, rc, env: session.execEnv([], rc) };
}

/** The first Top-K node down the plan's inputs, if any. */
export function findTopK(plan: Plan): Extract<Plan, { kind: 'topk' }> | undefined {
  if (plan.kind === 'topk') return plan;
  return 'input' in plan ? findTopK(plan.input) : undefined;
}

/** Vector literals of `dim` elements in [-0.5, 0.5), the same sequence for the same seed. */
export function seededVectors(seed: number, dim: number): () => string {
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) - 0.5;
  return () => `[${Array.from({ length: dim }, () => rnd().toFixed(4)).join(',')}]`;
}
