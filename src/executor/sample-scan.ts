/**
 * TABLESAMPLE's Sample Scan. BERNOULLI keeps each row with probability percent / 100;
 * SYSTEM keeps or skips whole blocks of rows (PostgreSQL's heap pages: here runs of rows in
 * scan order, as many as a page of rows this wide holds). The choice is a hash of the seed
 * and the row's (block's) number, so REPEATABLE (seed) picks the same rows again while the
 * table is unchanged; without it the seed is random per execution, as in PostgreSQL.
 * PostgreSQL's exact rows depend on its heap layout and are not reproduced.
 */
import { SqlError } from '../errors.js';
import { OID, type Row, type SqlType } from '../types/types.js';
import type { Plan } from '../planner/plan.js';
import { compileExpr, type ExecEnv } from './expr.js';
import type { RunContext } from './operators.js';
import { PAUSE, type Step } from './suspend.js';

type SampleScan = Extract<Plan, { kind: 'sampleScan' }>;

const PAGE_BYTES = 8192 - 24;
/** a heap tuple's header and its line pointer */
const TUPLE_OVERHEAD = 24 + 4;

export function* sampleScan(plan: SampleScan, rc: RunContext, env: ExecEnv): Iterable<Step> {
  if (plan.table.unpopulated) {
    throw new SqlError('55000', `materialized view "${plan.table.name}" has not been populated`, { hint: 'Use the REFRESH MATERIALIZED VIEW command.' });
  }
  const percent = compileExpr(plan.sample.percent)([], env) as number | null;
  if (percent === null) throw new SqlError('2202H', 'TABLESAMPLE parameter cannot be null');
  const seedValue = plan.sample.repeatable ? compileExpr(plan.sample.repeatable)([], env) as number | null : Math.random() * 2 ** 32;
  if (seedValue === null) throw new SqlError('2202G', 'TABLESAMPLE REPEATABLE parameter cannot be null');
  if (!(percent >= 0 && percent <= 100)) throw new SqlError('2202H', 'sample percentage must be between 0 and 100');
  const seed = seedHash(seedValue);
  // a row (block) is kept when its hash falls below this share of the 32-bit range
  const cutoff = Math.floor((percent / 100) * 2 ** 32);
  const perUnit = plan.sample.method === 'system' ? rowsPerPage(plan.table.columns.map((c) => c.type)) : 1;
  const pred = plan.filter ? compileExpr(plan.filter) : null;
  let position = 0;
  for (const batch of rc.storage.scan(plan.table.oid, rc.snapshot, rc.txn)) {
    env.checkCancel();
    const out: Row[] = [];
    for (const row of batch.rows as Row[]) {
      const unit = Math.floor(position++ / perUnit);
      if (mix(seed, unit) >= cutoff) continue;
      if (!pred || pred(row, env) === true) out.push(row);
    }
    if (out.length) yield out;
    if (rc.slice?.due()) yield PAUSE;
  }
}

/** how many rows of these column types one 8 kB heap page holds (widths as PostgreSQL stores them, 32 bytes for variable ones) */
function rowsPerPage(types: readonly SqlType[]): number {
  const width = types.reduce((w, t) => w + storedWidth(t), 0);
  return Math.max(1, Math.floor(PAGE_BYTES / (TUPLE_OVERHEAD + width)));
}

function storedWidth(t: SqlType): number {
  switch (t.oid) {
    case OID.bool: return 1;
    case OID.int2: return 2;
    case OID.int4: case OID.float4: case OID.date: case OID.oid: return 4;
    case OID.int8: case OID.float8: case OID.timestamp: case OID.timestamptz: return 8;
    case OID.vector: return t.typmod > 0 ? 8 + 4 * t.typmod : 32;
    default: return 32;
  }
}

function seedHash(seed: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, seed);
  return mix(view.getUint32(0), view.getUint32(4));
}

/** a 32-bit hash of two 32-bit numbers (murmur3's finalizer over their combination) */
function mix(a: number, b: number): number {
  let h = (Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
