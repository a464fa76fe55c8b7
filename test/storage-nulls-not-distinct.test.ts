/**
 * Storage's NULLS NOT DISTINCT keys (UniqueKeySpec.nullsNotDistinct): a NULL is a key value —
 * in one column or in any column of several — for uniqueness and lookupUnique (ON CONFLICT),
 * in the growing segment, sealed segments and after a restart (the flag is in the manifest);
 * lookupKey (an equality) still finds no row for a NULL; a plain key beside it lets NULLs repeat.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableStorage } from '../src/storage/durable-storage.js';
import { UniqueViolation, type Storage } from '../src/storage/api.js';
import { OID, type Row } from '../src/types/types.js';

const INT8 = { oid: OID.int8, typmod: -1 };
const TEXT = { oid: OID.text, typmod: -1 };
const LAYOUT = { id: 16500, columns: [{ name: 'id', type: INT8 }, { name: 'a', type: TEXT }, { name: 'b', type: INT8 }, { name: 'c', type: INT8 }] };

async function insert(s: Storage, rows: Row[]): Promise<void> {
  const txn = s.begin();
  txn.insert(LAYOUT.id, rows);
  await txn.commit();
}

function refused(s: Storage, row: Row, key: string): Promise<void> {
  return assert.rejects(async () => insert(s, [row]), (e: unknown) => e instanceof UniqueViolation && e.keyName === key);
}

test('a NULLS NOT DISTINCT key refuses a second NULL, in growing and sealed segments and after a restart', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'quiver-storage-nnd-'));
  try {
    let s = await DurableStorage.open({ dataDir: dir, background: false });
    await s.createTable(LAYOUT);
    await s.addUniqueKey(LAYOUT.id, { name: 'a_nnd', columns: [1], nullsNotDistinct: true });
    await s.addUniqueKey(LAYOUT.id, { name: 'bc_nnd', columns: [2, 3], nullsNotDistinct: true });
    await s.addUniqueKey(LAYOUT.id, { name: 'c_plain', columns: [3] });
    await insert(s, [[1n, null, null, null], [2n, 'x', 1n, null]]);
    await refused(s, [3n, null, 5n, 5n], 'a_nnd');
    // (1, NULL) again: NULL in one column of several is a value too
    await refused(s, [4n, 'q', 1n, null], 'bc_nnd');
    await refused(s, [4n, 'q', null, null], 'bc_nnd');
    // (2, NULL) is new; c's NULL repeats freely in the plain key
    await insert(s, [[5n, 'y', 2n, null]]);
    const before = s.lookupUnique(LAYOUT.id, 'a_nnd', [null]);
    assert.ok(before !== undefined, 'lookupUnique finds the NULL key (ON CONFLICT)');
    assert.ok(s.lookupUnique(LAYOUT.id, 'bc_nnd', [1n, null]) !== undefined);
    assert.equal(s.lookupUnique(LAYOUT.id, 'bc_nnd', [3n, null]), undefined);
    assert.equal(s.lookupUnique(LAYOUT.id, 'c_plain', [null]), undefined, 'a plain key has no NULL');
    assert.deepEqual(s.lookupKey(LAYOUT.id, 'a_nnd', [null], s.snapshot())?.rows, [], '= NULL finds nothing');
    await s.seal(LAYOUT.id);
    await refused(s, [7n, null, 7n, 7n], 'a_nnd');
    await refused(s, [7n, 'w', 2n, null], 'bc_nnd');
    await s.close();

    s = await DurableStorage.open({ dataDir: dir, background: false });
    await refused(s, [8n, null, 8n, 8n], 'a_nnd');
    await refused(s, [8n, 'v', null, null], 'bc_nnd');
    assert.equal(s.lookupUnique(LAYOUT.id, 'a_nnd', [null]), before);
    await insert(s, [[9n, 'w', 9n, null]]);
    assert.ok(s.lookupUnique(LAYOUT.id, 'bc_nnd', [9n, null]) !== undefined);
    await s.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
