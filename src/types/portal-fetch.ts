/**
 * FETCH / MOVE on a cursor as PostgreSQL's portal runs them (pquery.c DoPortalRunFetch,
 * PortalRunSelect and DoPortalRewind, ported): the same rows, tag counts, position after,
 * and NO SCROLL's 55000, for every direction. The standalone engine's cursors and the shard
 * router's share it; each brings its rows (kept in memory, or pulled from a running plan).
 *
 * `fetchSteps` is the portal's logic with the executor left out: it yields each read or
 * rewind it needs and is resumed with the number of rows read. `runFetch` drives it over
 * rows that answer at once; an asynchronous source drives it the same way with `await`.
 */
import { SqlError } from '../errors.js';

/** FETCH ALL's count as libpg-query gives it (FETCH_ALL, LONG_MAX of its 32-bit build) */
export const FETCH_ALL = 2147483647;

export type FetchDirection = 'FETCH_FORWARD' | 'FETCH_BACKWARD' | 'FETCH_ABSOLUTE' | 'FETCH_RELATIVE';

/** PostgreSQL's portal state: atStart, atEnd, portalPos, and whether it may move backward */
export interface PortalPosition {
  atStart: boolean;
  atEnd: boolean;
  pos: number;
  readonly noScroll: boolean;
}

export function startPosition(noScroll: boolean): PortalPosition {
  return { atStart: true, atEnd: false, pos: 0, noScroll };
}

/** one executor call: read `count` rows (FETCH_ALL: every row left) that way; `keep` them (else MOVE's DestNone) */
export interface PortalRead {
  readonly forward: boolean;
  readonly count: number;
  readonly keep: boolean;
}

/** what the portal asks of its rows: a read (answered with the rows read), or a rewind to the start */
export type PortalStep = PortalRead | 'rewind';

export function forwardOnly(): SqlError {
  return new SqlError('55000', 'cursor can only scan forward', { hint: 'Declare it with SCROLL option to enable backward scan.' });
}

/** DoPortalRunFetch: returns the count of the tag (FETCH n / MOVE n); `move` discards the rows. */
export function* fetchSteps(p: PortalPosition, direction: FetchDirection, howMany: number, move: boolean): Generator<PortalStep, number, number> {
  const keep = !move;
  let count = howMany;
  let forward = true;
  switch (direction) {
    case 'FETCH_FORWARD':
    case 'FETCH_BACKWARD':
      forward = direction === 'FETCH_FORWARD';
      if (count < 0) {
        forward = !forward;
        count = -count;
      }
      break;
    case 'FETCH_ABSOLUTE':
      if (count > 0) {
        // from the start if the target is nearer to it than to here; the row itself is read going forward
        if (count - 1 <= Math.floor(p.pos / 2) || p.pos >= FETCH_ALL) {
          yield* rewind(p);
          if (count > 1) yield* select(p, true, count - 1, false);
        } else {
          let pos = p.pos;
          if (p.atEnd) pos++; // one extra fetch when off the end
          if (count <= pos) yield* select(p, false, pos - count + 1, false);
          else if (count > pos + 1) yield* select(p, true, count - pos - 1, false);
        }
        return yield* select(p, true, 1, keep);
      }
      if (count < 0) {
        yield* select(p, true, FETCH_ALL, false);
        if (count < -1) yield* select(p, false, -count - 1, false);
        return yield* select(p, false, 1, keep);
      }
      yield* rewind(p);
      return yield* select(p, true, 0, keep);
    case 'FETCH_RELATIVE':
      if (count > 0) {
        if (count > 1) yield* select(p, true, count - 1, false);
        return yield* select(p, true, 1, keep);
      }
      if (count < 0) {
        if (count < -1) yield* select(p, false, -count - 1, false);
        return yield* select(p, false, 1, keep);
      }
      break;
  }
  if (count === 0) {
    // FETCH 0: the current row again, if the cursor is on one (a step back and one forward); MOVE 0 says whether it is
    const onRow = !p.atStart && !p.atEnd;
    if (move) return onRow ? 1 : 0;
    if (onRow) {
      yield* select(p, false, 1, false);
      count = 1;
      forward = true;
    }
  }
  if (!forward && count === FETCH_ALL && move) {
    // MOVE BACKWARD ALL is a rewind
    let result = p.pos;
    if (result > 0 && !p.atEnd) result--;
    yield* rewind(p);
    return result;
  }
  return yield* select(p, forward, count, keep);
}

/** DoPortalRewind */
function* rewind(p: PortalPosition): Generator<PortalStep, void, number> {
  if (p.atStart && !p.atEnd) return;
  if (p.noScroll) throw forwardOnly();
  yield 'rewind';
  p.atStart = true;
  p.atEnd = false;
  p.pos = 0;
}

/** PortalRunSelect: moves nowhere past the end going forward, or before the start going back */
function* select(p: PortalPosition, forward: boolean, count: number, keep: boolean): Generator<PortalStep, number, number> {
  const all = count === FETCH_ALL;
  if (forward) {
    if (p.atEnd || count <= 0) return 0;
    const n = yield { forward, count, keep };
    if (n > 0) p.atStart = false;
    if (all || n < count) p.atEnd = true;
    p.pos += n;
    return n;
  }
  if (p.noScroll) throw forwardOnly();
  if (p.atStart || count <= 0) return 0;
  const n = yield { forward, count, keep };
  if (n > 0 && p.atEnd) {
    p.atEnd = false;
    p.pos++;
  }
  if (all || n < count) {
    p.atStart = true;
    p.pos = 0;
  } else p.pos -= n;
  return n;
}

/** Rows a portal reads without waiting: `read` puts the rows it passes into `out` (null: discards them). */
export interface PortalRows<R> {
  read(forward: boolean, count: number, out: R[] | null): number;
  rewind(): void;
}

/** FETCH / MOVE over rows at hand: the rows fetched go to `out`; returns the tag's count. */
export function runFetch<R>(p: PortalPosition, rows: PortalRows<R>, direction: FetchDirection, howMany: number, move: boolean, out: R[]): number {
  const steps = fetchSteps(p, direction, howMany, move);
  let step = steps.next(0);
  while (!step.done) {
    const s = step.value;
    if (s === 'rewind') {
      rows.rewind();
      step = steps.next(0);
    } else step = steps.next(rows.read(s.forward, s.count, s.keep ? out : null));
  }
  return step.value;
}

/** A result kept whole (a scrollable or held cursor): `at` 0 before the first row, k on row k, length + 1 past the last. */
export class KeptRows<R> implements PortalRows<R> {
  private at = 0;
  constructor(readonly rows: readonly R[]) {}

  read(forward: boolean, count: number, out: R[] | null): number {
    const all = count === FETCH_ALL;
    let n = 0;
    if (forward) {
      while ((all || n < count) && this.at < this.rows.length) {
        this.at++;
        out?.push(this.rows[this.at - 1]!);
        n++;
      }
      if (all || n < count) this.at = this.rows.length + 1;
    } else {
      while ((all || n < count) && this.at > 1) {
        this.at--;
        out?.push(this.rows[this.at - 1]!);
        n++;
      }
      if (all || n < count) this.at = 0;
    }
    return n;
  }

  rewind(): void {
    this.at = 0;
  }
}
