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
  readonly result: T;
}

export async function blocking<T>(job: () => Promise<T>): Promise<Blocking<T>> {
  let running = true;
  let last = performance.now();
  let longest = 0;
  const spin = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (running) setImmediate(spin);
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
  return { share: longest / (end - t0), longest, total: end - t0, result };
}
