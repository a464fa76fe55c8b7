/**
 * The shard's commit clock (engine/commit-clock.ts) over a stand-in storage whose commits are
 * stamped when they start: commits enter storage in commit-timestamp order, one at a time; a
 * snapshot at S waits for commits registered before it arrived (an unknown prepared one until
 * COMMIT PREPARED brings its timestamp), not for later ones, and reads exactly C ≤ S; the wait
 * ends with the statement's cancel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommitClock, type ClockStorage, type TimestampSource } from '../src/engine/commit-clock.js';
import type { CommitGate } from '../src/storage/api.js';

/** A timestamp source answering in the order the test says. */
function manualSource(): TimestampSource & { asked: ((ts: bigint) => void)[] } {
  const asked: ((ts: bigint) => void)[] = [];
  return { asked, timestamp: () => new Promise<bigint>((resolve) => asked.push(resolve)) };
}

function fakeStorage(): ClockStorage & { clock: number; stamped: { c: string; l: number }[]; prepared: { gid: string }[] } {
  return {
    clock: 100, stamped: [], prepared: [], commitGate: undefined as CommitGate | undefined,
    snapshot() { return { ts: this.clock }; },
    retain: () => () => {},
    preparedTransactions() { return this.prepared; },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

/** A clock over `source` whose first question (its base C0) is answered with 1. */
async function started(source: ReturnType<typeof manualSource>, storage: ClockStorage): Promise<CommitClock> {
  const clock = new CommitClock(source, storage);
  source.asked.shift()!(1n);
  await tick();
  return clock;
}

/** A storage commit: stamped at once, done when `release` is called. */
function applier(storage: ReturnType<typeof fakeStorage>, name: string) {
  let release!: () => void;
  const done = new Promise<void>((r) => { release = r; });
  let started = false;
  return {
    get started() { return started; },
    release: () => release(),
    apply: async (stamped: () => void) => {
      started = true;
      // (a real storage may take turns before it stamps: a bulk insert's segment files)
      await tick();
      const l = ++storage.clock;
      storage.stamped.push({ c: name, l });
      stamped();
      await done;
      return l;
    },
  };
}

test('commits enter storage in commit-timestamp order, each once the one before has its local timestamp', async () => {
  const storage = fakeStorage();
  const source = manualSource();
  const clock = await started(source, storage);
  const a = applier(storage, 'a');
  const b = applier(storage, 'b');
  const pa = clock.commit(a.apply);
  const pb = clock.commit(b.apply);
  await tick();
  // b learns its timestamp first, but a (registered before, still unknown) may get a smaller one
  source.asked[1]!(20n);
  await tick();
  assert.equal(b.started, false, 'b waits for a, whose timestamp is unknown');
  source.asked[0]!(10n);
  await tick();
  assert.equal(a.started, true);
  assert.equal(b.started, false, 'not before a has its local timestamp');
  await tick();
  await tick();
  assert.equal(b.started, true, 'b goes in while a is still being written');
  b.release();
  a.release();
  assert.deepEqual([await pa, await pb], [10n, 20n]);
  assert.deepEqual(storage.stamped.map((s) => s.c), ['a', 'b']);
  assert.equal(clock.pending, 0);
});

test('a snapshot at S waits for what was registered before it, reads exactly C <= S, and a cancel ends the wait', async () => {
  const storage = fakeStorage();
  const source = manualSource();
  const clock = await started(source, storage);
  // a prepared transaction registered before the snapshot arrives
  clock.registerPrepared('g1');
  let taken: number | undefined;
  const snap = clock.snapshotAt(50n).then((s) => { taken = s.ts; });
  // a local commit registered after the snapshot arrived: it will get C > 50, not waited for
  const late = applier(storage, 'late');
  const pLate = clock.commit(late.apply);
  await tick();
  assert.equal(taken, undefined, 'waits for the prepared transaction');
  // the late commit learns C = 60 (it could have got less than the prepared one's: it waited)
  source.asked[0]!(60n);
  await tick();
  assert.equal(late.started, false, 'the late commit waits for the prepared one, still unknown');
  // COMMIT PREPARED at C = 40 <= S: applied before the snapshot is taken, and before the late one
  const g1 = applier(storage, 'g1');
  const pg1 = clock.commitPrepared('g1', 40n, g1.apply);
  await tick();
  assert.equal(g1.started, true);
  assert.equal(taken, undefined, 'C <= S not applied yet');
  g1.release();
  await pg1;
  await snap;
  assert.equal(taken, storage.stamped.find((s) => s.c === 'g1')!.l, 'reads up to g1');
  late.release();
  await pLate;
  // later snapshots: at 50 still without `late` (its local timestamp is above); at 60 with it
  assert.equal((await clock.snapshotAt(50n)).ts, storage.stamped.find((s) => s.c === 'g1')!.l);
  assert.equal((await clock.snapshotAt(60n)).ts, storage.stamped.find((s) => s.c === 'late')!.l);
  assert.equal((await clock.snapshotAt(1n)).ts, 100, 'before every commit: the base');
  // below the base (C0, asked when the clock started): which of storage's commits came before is not known
  await assert.rejects(clock.snapshotAt(0n), { code: '72000' });
  // a prepared transaction that never finishes: the wait ends with the cancel
  clock.registerPrepared('g2');
  const cancel = new AbortController();
  const waiting = clock.snapshotAt(70n, cancel.signal);
  setTimeout(() => cancel.abort(new Error('canceling statement due to user request')), 20);
  await assert.rejects(waiting, /canceling statement/);
  // ROLLBACK PREPARED: nothing to wait for any more
  clock.forgetPrepared('g2');
  assert.equal((await clock.snapshotAt(70n)).ts, storage.stamped.find((s) => s.c === 'late')!.l);
});

test('a commit with C > S applied while the snapshot waited is not seen', async () => {
  const storage = fakeStorage();
  const source = manualSource();
  const clock = await started(source, storage);
  const early = applier(storage, 'early');
  const pEarly = clock.commit(early.apply);
  await tick();
  let taken: number | undefined;
  const snap = clock.snapshotAt(30n).then((s) => { taken = s.ts; });
  // the early commit (registered before the snapshot) gets C = 35 > S
  source.asked[0]!(35n);
  await snap;
  early.release();
  await pEarly;
  assert.equal(taken, 100, 'the snapshot did not wait for a commit above S, nor sees it');
  assert.ok(storage.stamped[0]!.l > taken!);
});

test('the clock is the storage commit gate', async () => {
  const storage = fakeStorage();
  let n = 0n;
  const clock = new CommitClock({ timestamp: async () => ++n }, storage);
  assert.ok(storage.commitGate);
  const l = await storage.commitGate!(async (stamped) => {
    stamped();
    return ++storage.clock;
  });
  assert.equal(l, 101);
  // (C0 = 1, the commit's C = 2)
  assert.equal((await clock.snapshotAt(1n)).ts, 100);
  assert.equal((await clock.snapshotAt(2n)).ts, 101);
  clock.close();
  assert.equal(storage.commitGate, undefined);
});
