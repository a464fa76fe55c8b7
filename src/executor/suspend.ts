/**
 * Cooperative scheduling of a running plan.
 *
 * Operators are synchronous generators of row batches (cheap: no promise per batch). To
 * keep the session's thread responsive they also yield *suspend* steps, which every
 * operator passes up unchanged, until the driver at the top (`drain`) sees them:
 *
 *   - `PAUSE`: the statement has run for a time slice; the driver gives the event loop a
 *     turn (other sessions' queries, CancelRequests, timers) and then resumes the plan;
 *   - `{ wait }`: an operator waits for asynchronous work (a query worker's answer); the
 *     driver resumes the plan when the promise settles (`awaitStep` reads the result).
 *
 * A suspend step never carries rows, so a batch is exactly a step that is an array.
 * Subplans run from inside expressions (scalar subqueries, correlated EXISTS) are run to
 * completion synchronously by `collect`, which skips PAUSE; operators must not hand a
 * `wait` to it (`ExecEnv.synchronous` tells them to do the work in-thread instead).
 */
import { SqlError, SqlState } from '../errors.js';
import type { Row } from '../types/types.js';

export type Batch = Row[];

export interface Suspend {
  readonly kind: 'suspend';
  /** settles when the operator that yielded this step can go on */
  readonly wait?: Promise<unknown>;
}

export type Step = Batch | Suspend;

export const PAUSE: Suspend = Object.freeze({ kind: 'suspend' as const });

export function isSuspend(step: Step): step is Suspend {
  return !Array.isArray(step);
}

/** How long a statement runs before it lets the event loop serve others (ms). */
export const TIME_SLICE_MS = 10;

/** Tells a running statement when its time slice is used up. */
export class TimeSlice {
  private start = performance.now();

  constructor(private readonly ms = TIME_SLICE_MS) {}

  /** true once per elapsed slice: the caller should yield PAUSE */
  due(): boolean {
    return performance.now() - this.start >= this.ms;
  }

  /** a fresh slice begins (the driver calls this when it resumes the plan) */
  restart(): void {
    this.start = performance.now();
  }

  private sleepMs = 0;

  /** pg_sleep: the statement asks to wait this long; the driver does at its next step */
  sleep(ms: number): void {
    this.sleepMs += ms;
  }

  /** whether a wait was asked for (checked without a promise on every step) */
  get sleepAsked(): boolean {
    return this.sleepMs > 0;
  }

  /** the wait asked for since the last call (0: none) */
  takeSleep(): number {
    const ms = this.sleepMs;
    this.sleepMs = 0;
    return ms;
  }
}

/** How often a pg_sleep wakes up to check for a cancel or statement_timeout (ms). */
const SLEEP_CHECK_MS = 50;

/**
 * The wait pg_sleep asked for (slice.sleepAsked): on timers, so the event loop serves other
 * sessions meanwhile; `checkCancel` runs every SLEEP_CHECK_MS and ends it with 57014.
 */
async function sleepAsked(slice: TimeSlice, checkCancel: () => void): Promise<void> {
  const ms = slice.takeSleep();
  const until = performance.now() + ms;
  for (let left = ms; left > 0; left = until - performance.now()) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(left, SLEEP_CHECK_MS)));
    checkCancel();
  }
  slice.restart();
}

/**
 * Wait for a promise inside an operator: `const hits = yield* awaitStep(pool.search(r))`.
 * The step yielded carries the promise; the driver resumes the generator once it settled.
 */
export function* awaitStep<T>(promise: Promise<T>): Generator<Suspend, T, unknown> {
  let settled = false;
  let value: T | undefined;
  let error: unknown;
  const wait = promise.then(
    (v) => { settled = true; value = v; },
    (e) => { settled = true; error = e; },
  );
  yield { kind: 'suspend', wait };
  if (!settled) throw new SqlError(SqlState.internalError, 'bug: a plan was resumed before the work it waited for settled');
  if (error !== undefined) throw error;
  return value as T;
}

/** How often a wait for background work looks for a cancel or statement_timeout (ms). */
const WAIT_CHECK_MS = 20;

/**
 * Background work an operator waits for (a suspend step's `wait`) that does not look for a
 * cancel itself (a worker's sort, queued behind others, may take seconds): rejects with
 * `checkCancel`'s error as soon as the statement is cancelled or timed out.
 */
export function cancellable(work: Promise<unknown>, checkCancel: () => void): Promise<unknown> {
  let timer: ReturnType<typeof setInterval> | undefined;
  const cancelled = new Promise<never>((_, reject) => {
    timer = setInterval(() => {
      try { checkCancel(); } catch (e) { reject(e); }
    }, WAIT_CHECK_MS);
  });
  return Promise.race([work, cancelled]).finally(() => clearInterval(timer));
}

/**
 * Rows a single statement may materialize (a result, a sort, a join's inner side). Past
 * this the statement fails with 54000 instead of the process running out of memory.
 */
export const MAX_MATERIALIZED_ROWS = 20_000_000;

export function tooManyRows(): SqlError {
  return new SqlError(SqlState.programLimitExceeded, `query needs more than ${MAX_MATERIALIZED_ROWS.toLocaleString('en-US')} rows in memory`, {
    hint: 'Add a LIMIT or a more selective WHERE clause.',
  });
}

/** Inside an operator: all rows of a child, passing its suspend steps up; `each` sees every row first. */
export function* gather(steps: Iterable<Step>, each?: (row: Row) => void): Generator<Suspend, Row[], unknown> {
  const out: Row[] = [];
  for (const s of steps) {
    if (isSuspend(s)) {
      yield s;
      continue;
    }
    if (out.length + s.length > MAX_MATERIALIZED_ROWS) throw tooManyRows();
    if (each) for (const r of s) each(r);
    for (const r of s) out.push(r);
  }
  return out;
}

/** Run a plan to completion on the spot (subplans inside expressions): PAUSE is skipped. */
export function collect(steps: Iterable<Step>): Row[] {
  const out: Row[] = [];
  for (const s of steps) {
    if (isSuspend(s)) {
      if (s.wait) throw new SqlError(SqlState.internalError, 'bug: an operator waited for asynchronous work inside a synchronous subplan');
      continue;
    }
    if (out.length + s.length > MAX_MATERIALIZED_ROWS) throw tooManyRows();
    for (const r of s) out.push(r);
  }
  return out;
}

/**
 * Statements that used up their time slice wait here for their next one. One of them runs
 * per event-loop iteration (round robin), so between two slices the loop always polls the
 * sockets: a short query waits for at most one slice, however many long ones run.
 */
const waiting: (() => void)[] = [];
let pumpScheduled = false;

function pump(): void {
  pumpScheduled = false;
  const next = waiting.shift();
  if (waiting.length > 0) schedulePump();
  next?.();
}

function schedulePump(): void {
  if (pumpScheduled) return;
  pumpScheduled = true;
  setImmediate(pump);
}

/**
 * A statement's place in the round robin, taken in the next check phase: one that paused
 * outside it (its first slice, begun by a socket's data in the poll phase) was otherwise
 * resumed in the same iteration's check phase, before the loop polled the sockets again,
 * and its first slice held the loop twice as long (a first filtered search over 200k rows:
 * 25 ms in one piece with 10 ms slices).
 */
function turn(): Promise<void> {
  return new Promise((resolve) => {
    setImmediate(() => {
      waiting.push(resolve);
      schedulePump();
    });
  });
}

/**
 * Drive a plan from the session: batches go to `onBatch` (return false to stop early);
 * on a suspend step the event loop gets its turn, then `checkCancel` runs (it throws
 * 57014 when the statement was cancelled or timed out meanwhile).
 */
export async function drain(
  steps: Iterable<Step>,
  onBatch: (batch: Batch) => boolean | void,
  checkCancel: () => void,
  slice?: TimeSlice,
): Promise<void> {
  const it = steps[Symbol.iterator]();
  try {
    for (;;) {
      const next = it.next();
      if (slice?.sleepAsked) await sleepAsked(slice, checkCancel);
      if (next.done) return;
      const s = next.value;
      if (!isSuspend(s)) {
        if (onBatch(s) === false) return;
        continue;
      }
      if (s.wait) await s.wait;
      else await turn();
      checkCancel();
      slice?.restart();
    }
  } finally {
    // close the generators (their finally blocks release what they hold)
    it.return?.();
  }
}

/**
 * In a long loop outside a plan (a DML statement's writes, row by row): once the slice is
 * used up, the event loop's turn, then `checkCancel` (57014 if cancelled meanwhile).
 */
export async function turnIfDue(slice: TimeSlice | undefined, checkCancel: () => void): Promise<void> {
  if (!slice?.due()) return;
  await turn();
  checkCancel();
  slice.restart();
}

/** Drive a plan to completion and return its rows. */
export async function drainAll(steps: Iterable<Step>, checkCancel: () => void, slice?: TimeSlice): Promise<Row[]> {
  const out: Row[] = [];
  await drain(steps, (b) => {
    if (out.length + b.length > MAX_MATERIALIZED_ROWS) throw tooManyRows();
    for (const r of b) out.push(r);
  }, checkCancel, slice);
  return out;
}

/** A running plan read a batch at a time (a streamed SELECT, a portal). */
export interface BatchStream {
  /** the next batch, or null once the plan is done; throws what the plan throws */
  next(): Promise<Batch | null>;
  /**
   * The next batch when the plan gives it without the event loop's turn (no suspend step,
   * no sleep asked); undefined: it must wait, and next() goes on from there.
   */
  nextNow(): Batch | null | undefined;
  /** stop early: the plan's generators are closed */
  close(): void;
}

/** Pull a plan batch by batch, giving the event loop its turn at every suspend step. */
export function batchStream(steps: Iterable<Step>, checkCancel: () => void, slice?: TimeSlice): BatchStream {
  const it = steps[Symbol.iterator]();
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    it.return?.();
  };
  /** a step nextNow() took but could not handle without a turn of the event loop */
  let held: IteratorResult<Step> | undefined;
  return {
    nextNow() {
      if (finished) return null;
      try {
        slice?.restart();
        for (;;) {
          const step = it.next();
          if (slice?.sleepAsked) {
            held = step;
            return undefined;
          }
          if (step.done) {
            finished = true;
            return null;
          }
          const s = step.value;
          if (isSuspend(s)) {
            held = step;
            return undefined;
          }
          if (s.length > 0) return s;
        }
      } catch (e) {
        finish();
        throw e;
      }
    },
    async next() {
      if (finished) return null;
      try {
        if (!held) slice?.restart();
        for (;;) {
          const step = held ?? it.next();
          held = undefined;
          if (slice?.sleepAsked) await sleepAsked(slice, checkCancel);
          if (step.done) {
            finished = true;
            return null;
          }
          const s = step.value;
          if (!isSuspend(s)) {
            if (s.length === 0) continue;
            return s;
          }
          if (s.wait) await s.wait;
          else await turn();
          checkCancel();
          slice?.restart();
        }
      } catch (e) {
        finish();
        throw e;
      }
    },
    close: finish,
  };
}
