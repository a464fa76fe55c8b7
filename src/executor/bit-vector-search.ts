/**
 * Top-k by a bit-string distance (`ORDER BY b <~> $1 LIMIT k`: Hamming, `<%>`: Jaccard)
 * through an HNSW index with bit_hamming_ops / bit_jaccard_ops, per segment as
 * vector-search.ts does for float vectors: sealed segments with the index are searched
 * through it, widening (×4) until k rows are visible and pass the filter, and scanned
 * exactly when even the whole index gives fewer; everything else (growing segment, own
 * uncommitted rows, segments sealed before the index) is scanned exactly. Candidates are
 * ranked with pgvector's exact distance, so order and ties are those of an exact scan.
 */
import type { TableDef } from '../catalog/catalog.js';
import type { Expr, Plan, SortKey } from '../planner/plan.js';
import type { AnnSegment } from '../storage/api.js';
import { OID, type Row } from '../types/types.js';
import { hammingDistance, jaccardDistance } from '../types/bitvec.js';
import { compileExpr, type ExecEnv } from './expr.js';
import { distanceKey, hnswIndexFor } from './indexed-distance-key.js';
import type { RunContext } from './operators.js';
import { searchBreadth } from './search-breadth.js';

type BitOp = '<~>' | '<%>';

const OPCLASS: Record<BitOp, string> = { '<~>': 'bit_hamming_ops', '<%>': 'bit_jaccard_ops' };

const bitDistanceKey = (keys: readonly SortKey[]) => distanceKey(keys, OID.bit, OPCLASS);

const bitIndexFor = (table: TableDef, column: number, op: BitOp): string | undefined => hnswIndexFor(table, column, OPCLASS[op]);

interface Candidate { row: Row; d: number; order: number }

/**
 * The rows of the top-k through the index, or undefined when the plan has no bit index
 * for its key (or the query is NULL or of another length: the exact path then answers,
 * raising pgvector's error where there is one).
 */
export function bitIndexedTopK(plan: Extract<Plan, { kind: 'topk' }>, k: number, offsetN: number, rc: RunContext, env: ExecEnv): Row[] | undefined {
  const scan = plan.input;
  const key = bitDistanceKey(plan.keys);
  if (!key || !plan.vectorSearch?.index || scan.kind !== 'scan' || scan.withRowId) return undefined;
  const q = compileExpr(key.query)([], env);
  const dims = scan.table.columns[key.column]?.type.typmod;
  if (typeof q !== 'string' || q.length !== dims) return undefined;
  const query = Float32Array.from(q, (c) => (c === '1' ? 1 : 0));
  const distance = key.op === '<~>' ? hammingDistance : jaccardDistance;
  const pred = scan.filter ? compileExpr(scan.filter) : null;
  const passes = (row: Row) => !pred || pred(row, env) === true;
  const breadth = searchBreadth('hnsw', env.ctx.setting.bind(env.ctx));
  const found: Candidate[] = [];
  const nullRows: Row[] = [];
  let scanSeq = 1e15;
  const consider = (row: Row, order = scanSeq++) => {
    const v = row[key.column];
    if (v === null) {
      if (nullRows.length < k) nullRows.push(row);
      return;
    }
    found.push({ row, d: distance(v as string, q), order });
  };
  const tables: readonly TableDef[] = scan.partitions ?? [scan.table];
  tables.forEach((table, ti) => {
    const name = bitIndexFor(table, key.column, key.op);
    const segments = name ? rc.storage.annSegments(table.oid, name, rc.snapshot, rc.txn) : [];
    segments.forEach((seg, si) => {
      const base = (ti * 1e4 + si) * 1e9;
      searchSegment(seg, key.column, query, k, breadth, pred ? passes : null, (row, pos) => consider(row, base + pos), env);
    });
    const skip = new Set(segments.map((s) => s.id));
    for (const batch of rc.storage.scan(table.oid, rc.snapshot, rc.txn, { skipSegments: skip })) {
      env.checkCancel();
      for (const row of batch.rows) if (passes(row)) consider(row);
    }
  });
  // NaN sorts after every number, as PostgreSQL orders float8
  found.sort((a, b) => (Number.isNaN(a.d) ? 1 : 0) - (Number.isNaN(b.d) ? 1 : 0) || a.d - b.d || a.order - b.order);
  const out = found.slice(0, k).map((c) => c.row);
  for (const r of nullRows) if (out.length < k) out.push(r);
  return out.slice(offsetN);
}

function searchSegment(seg: AnnSegment, column: number, query: Float32Array, k: number, breadth: number, passes: ((row: Row) => boolean) | null, consider: (row: Row, pos: number) => void, env: ExecEnv): void {
  let want = k;
  for (;;) {
    env.checkCancel();
    const n = Math.min(want, seg.length);
    const hits: { row: Row; pos: number }[] = [];
    for (const h of seg.index.search(query, n, breadth)) {
      const r = seg.visibleRow(h.position);
      // NULL bit strings are zeros in the graph: they count only when too few rows are left (exact scan below)
      if (r && r.row[column] !== null && (!passes || passes(r.row))) hits.push({ row: r.row, pos: h.position });
    }
    if (hits.length >= k || n >= seg.length) {
      if (hits.length < k) {
        // the index gave all it has and still too few: scan the segment exactly
        for (const r of seg.visibleRows()) if (!passes || passes(r.row)) consider(r.row, r.pos);
        return;
      }
      for (const h of hits) consider(h.row, h.pos);
      return;
    }
    want = n * 4;
  }
}
