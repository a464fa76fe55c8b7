/**
 * A table's rows in the three places a storage test wants them: `sealed` rows written in
 * commits of `batch` and sealed, those whose first column is below `deleted` then deleted
 * (tombstones over the sealed segment), and `growing` more rows left in the growing segment.
 */
import type { DurableStorage } from '../../src/storage/durable-storage.js';
import { OID, type Row } from '../../src/types/types.js';

export interface Fill {
  readonly sealed: number;
  readonly deleted: number;
  readonly growing: number;
  readonly batch: number;
}

export async function fillSealedDeletedGrowing(s: DurableStorage, table: number, rows: (from: number, to: number) => Row[], n: Fill): Promise<void> {
  const insert = async (from: number, to: number) => {
    for (let i = from; i < to; i += n.batch) {
      const t = s.begin();
      t.insert(table, rows(i, Math.min(to, i + n.batch)));
      await t.commit();
    }
  };
  await insert(0, n.sealed);
  await s.seal(table);
  const del = s.begin();
  for (const b of s.scan(table, s.snapshot(), del)) del.delete(table, b.rowIds.filter((_, k) => Number(b.rows[k][0]) < n.deleted));
  await del.commit();
  await insert(n.sealed, n.sealed + n.growing);
}

/**
 * The storage tests' table: (id int8, label text), with a vector(dim) column `v` when dim
 * is given; and its rows [from, to): id i, label `row i`, v sin(i × 0.37 + d).
 */
export function labelledTable(id: number, dim?: number): { id: number; columns: { name: string; type: { oid: number; typmod: number } }[] } {
  const columns: { name: string; type: { oid: number; typmod: number } }[] = [
    { name: 'id', type: { oid: OID.int8, typmod: -1 } },
    { name: 'label', type: { oid: OID.text, typmod: -1 } },
  ];
  if (dim !== undefined) columns.push({ name: 'v', type: { oid: OID.vector, typmod: dim } });
  return { id, columns };
}

export function labelledRows(dim?: number): (from: number, to: number) => Row[] {
  const row = (i: number): Row => (dim === undefined ? [BigInt(i), `row ${i}`] : [BigInt(i), `row ${i}`, Float32Array.from({ length: dim }, (_, d) => Math.sin(i * 0.37 + d))]);
  return (from, to) => Array.from({ length: to - from }, (_, k) => row(from + k));
}
