/**
 * Transaction.frozen(): a read-only copy of a transaction's writes, what a statement with
 * data-modifying WITH queries reads through so no part sees another part's changes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableStorage } from '../src/storage/durable-storage.js';
import type { Storage, Transaction } from '../src/storage/api.js';
import { OID, type Row } from '../src/types/types.js';

const TABLE = 16500;
const LAYOUT = { id: TABLE, columns: [{ name: 'id', type: { oid: OID.int8, typmod: -1 } }, { name: 'label', type: { oid: OID.text, typmod: -1 } }] };

const row = (i: number): Row => [BigInt(i), `row ${i}`];
const ids = (s: Storage, txn: Transaction): bigint[] => [...s.scan(TABLE, s.snapshot(), txn)].flatMap((b) => b.rows.map((r) => r[0] as bigint)).sort((a, b) => Number(a - b));

test('a frozen view keeps the writes as they were, while the transaction goes on writing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'quiver-frozen-'));
  const s = await DurableStorage.open({ dataDir: dir, background: false });
  try {
    await s.createTable(LAYOUT);
    await s.addUniqueKey(TABLE, { name: 'f_pkey', columns: [0] });
    const setup = s.begin();
    setup.insert(TABLE, [row(1), row(2)]);
    await setup.commit();

    const txn = s.begin();
    const [own] = txn.insert(TABLE, [row(3)]);
    const frozen = txn.frozen();
    // after the view was taken: a committed row deleted, the own row deleted, a new own row
    const committed = [...s.scan(TABLE, s.snapshot(), txn)][0]!.rowIds[0]!;
    txn.delete(TABLE, [committed, own!]);
    txn.insert(TABLE, [row(4)]);

    assert.deepEqual(ids(s, txn), [2n, 4n]);
    assert.deepEqual(ids(s, frozen), [1n, 2n, 3n]);
    assert.deepEqual(s.fetch(TABLE, own!, s.snapshot(), frozen), row(3));
    assert.equal(s.fetch(TABLE, own!, s.snapshot(), txn), undefined);
    // unique-key lookups see the view's own rows, not later ones
    assert.equal(s.lookupUnique(TABLE, 'f_pkey', [3n], frozen), own);
    assert.equal(s.lookupUnique(TABLE, 'f_pkey', [4n], frozen), undefined);
    assert.notEqual(s.lookupUnique(TABLE, 'f_pkey', [4n], txn), undefined);
    // it only reads
    assert.equal(frozen.hasWrites, false);
    assert.throws(() => frozen.insert(TABLE, [row(9)]), /frozen view/);
    assert.throws(() => frozen.delete(TABLE, [own!]), /frozen view/);
    txn.rollback();
  } finally {
    await s.close();
    await rm(dir, { recursive: true, force: true });
  }
});
