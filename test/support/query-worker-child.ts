/**
 * Child process for the query-worker crash test: commits batches of vector rows (tiny seal
 * threshold, so segments are sealed all the time) while a query-worker pool searches the
 * sealed segments' shared vectors in a loop. Prints `acked <lastId>` after each durable
 * commit and `searched <n>` after searches; the parent kills it with SIGKILL.
 */
import { DurableStorage } from '../../src/storage/durable-storage.js';
import { QueryWorkerPool } from '../../src/query-worker/pool.js';
import { OID, type Row } from '../../src/types/types.js';

export const CRASH_TABLE = { id: 77, columns: [{ name: 'id', type: { oid: OID.int4, typmod: -1 } }, { name: 'v', type: { oid: OID.vector, typmod: 8 } }] };
export const CRASH_BATCH = 200;

export function crashVector(i: number): Float32Array {
  return Float32Array.from({ length: 8 }, (_, j) => ((i * 31 + j * 7) % 101) / 10);
}

async function main(dir: string): Promise<void> {
  const storage = await DurableStorage.open({ dataDir: dir, sealThresholdBytes: 32 * 1024 });
  if (!storage.loadCatalog()) {
    await storage.createTable(CRASH_TABLE);
    await storage.saveCatalog('{}');
  }
  const pool = new QueryWorkerPool(2);
  let searches = 0;
  const query = crashVector(5);
  const searchLoop = async () => {
    for (;;) {
      const segs = storage.searchSegments(CRASH_TABLE.id, storage.snapshot());
      const reqs = segs.flatMap((s) => {
        const vectors = s.sharedVectors?.(1);
        return vectors ? [pool.exactTopK({ vectors }, { kind: 'exactTopK', query, op: '<->', half: false, keep: 10, start: 0, end: s.length }).done] : [];
      });
      await Promise.all(reqs);
      if (reqs.length > 0) process.stdout.write(`searched ${++searches}\n`);
      await new Promise((r) => setImmediate(r));
    }
  };
  void searchLoop();
  let next = Number(process.env.CRASH_START_ID ?? 0);
  for (;;) {
    const txn = storage.begin();
    const rows: Row[] = [];
    for (let i = 0; i < CRASH_BATCH; i++, next++) rows.push([next, crashVector(next)]);
    txn.insert(CRASH_TABLE.id, rows);
    await txn.commit();
    process.stdout.write(`acked ${next - 1}\n`);
  }
}

if (process.argv[2]) await main(process.argv[2]);
