/**
 * How long does a job hold the event loop in one piece? While `job` runs, an immediate
 * callback is queued again and again: the longest gap between two of its runs is the longest
 * time the job held the loop, and the job's whole time is the sum of its pieces and its
 * waits. Tests compare their ratio (`share`), which does not depend on the machine's speed
 * the way a bound in milliseconds would.
 */
export interface Blocking<T> {
  /** longest piece / whole time */
  readonly share: number;
  /** the longest piece, ms */
  readonly longest: number;
  /** the job's whole time, ms */
  readonly total: number;
  /** how many times the loop came round while the job ran */
  readonly turns: number;
  /** share of the job's whole time spent in pieces longer than `ms` (each a stall a probe would feel) */
  inPiecesOver(ms: number): number;
  readonly result: T;
}

/** `each` runs at every turn of the loop while the job runs (a reader checking what it sees); its first failure is thrown at the end. */
export async function blocking<T>(job: () => Promise<T>, each?: () => void): Promise<Blocking<T>> {
  let running = true;
  let last = performance.now();
  let longest = 0;
  let turns = 0;
  const pieces: number[] = [];
  let failure: unknown;
  const spin = () => {
    const now = performance.now();
    pieces.push(now - last);
    longest = Math.max(longest, now - last);
    last = now;
    turns++;
    if (!running) return;
    try {
      each?.();
    } catch (e) {
      failure ??= e;
    }
    setImmediate(spin);
  };
  const t0 = performance.now();
  setImmediate(spin);
  let result: T;
  try {
    result = await job();
  } finally {
    running = false;
  }
  const end = performance.now();
  longest = Math.max(longest, end - last);
  pieces.push(end - last);
  if (failure) throw failure;
  const total = end - t0;
  const inPiecesOver = (ms: number): number => pieces.reduce((sum, p) => (p > ms ? sum + p : sum), 0) / total;
  return { share: longest / total, longest, total, turns, inPiecesOver, result };
}
