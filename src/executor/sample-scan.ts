/**
 * TABLESAMPLE's Sample Scan. BERNOULLI keeps each row with probability percent / 100;
 * SYSTEM keeps or skips whole blocks of rows (PostgreSQL's heap pages: here runs of rows in
 * scan order, as many as a page of rows this wide holds). The choice is PostgreSQL's hash of
 * the block number (and the row's offset in it) and the seed, so REPEATABLE (seed) picks the
 * same rows again while the table is unchanged; without it the seed is random per execution,
 * as in PostgreSQL. The rows match PostgreSQL's only where the blocks do, which its heap
 * layout decides.
 */
import { SqlError } from '../errors.js';
import { OID, type Row, type SqlType } from '../types/types.js';
import type { Plan } from '../planner/plan.js';
import { compileExpr, type ExecEnv } from './expr.js';
import type { RunContext } from './operators.js';
import { PAUSE, type Step } from './suspend.js';
import { hashFloat8Extended, hashWords32 } from '../catalog/pg-hash.js';
import { checkScannable } from './scannable.js';

type SampleScan = Extract<Plan, { kind: 'sampleScan' }>;

const PAGE_BYTES = 8192 - 24;
/** a heap tuple's header and its line pointer */
const TUPLE_OVERHEAD = 24 + 4;

export function* sampleScan(plan: SampleScan, rc: RunContext, env: ExecEnv): Iterable<Step> {
  checkScannable(plan.table);
  const percent = compileExpr(plan.sample.percent)([], env) as number | null;
  if (percent === null) throw new SqlError('2202H', 'TABLESAMPLE parameter cannot be null');
  const seedValue = plan.sample.repeatable ? compileExpr(plan.sample.repeatable)([], env) as number | null : Math.random() * 2 ** 32;
  if (seedValue === null) throw new SqlError('2202G', 'TABLESAMPLE REPEATABLE parameter cannot be null');
  if (!(percent >= 0 && percent <= 100)) throw new SqlError('2202H', 'sample percentage must be between 0 and 100');
  // as tsm_system / tsm_bernoulli: the seed is hashfloat8 of REPEATABLE's value, and a block
  // (SYSTEM) or row (BERNOULLI) is kept when its hash falls below this share of 2^32
  const seed = Number(hashFloat8Extended(seedValue, 0n) & 0xffffffffn);
  const cutoff = Math.round((2 ** 32 * percent) / 100);
  const system = plan.sample.method === 'system';
  const perPage = rowsPerPage(plan.table.columns.map((c) => c.type));
  const pred = plan.filter ? compileExpr(plan.filter) : null;
  let position = 0;
  const words = [0, 0, seed];
  // SYSTEM decides a block once, for all its rows
  let decided = -1;
  let blockKept = false;
  for (const batch of rc.storage.scan(plan.table.oid, rc.snapshot, rc.txn)) {
    env.checkCancel();
    const out: Row[] = [];
    for (const row of batch.rows as Row[]) {
      const block = Math.floor(position / perPage);
      const offset = (position++ % perPage) + 1;
      if (system && block !== decided) {
        decided = block;
        blockKept = hashWords32([block, seed]) < cutoff;
      }
      if (system ? !blockKept : (words[0] = block, words[1] = offset, hashWords32(words) >= cutoff)) continue;
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
