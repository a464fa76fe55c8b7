/**
 * Index builds run in worker threads at a lower CPU priority than the session thread.
 * On Linux the nice value belongs to each thread, and the threads usearch starts for an
 * insertion inherit it from the worker that starts them, so lowering the worker's own
 * thread lowers the whole build. With every core busy building, the session thread then
 * still gets the CPU when a statement arrives: single-row INSERTs during a 60,000 × 784
 * HNSW build on 2 cores went from p99 ≈ 60 ms to the numbers in bench/README.md
 * (bench/index-build.ts).
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** nice value of index builds (0 is the session thread's; 19 the lowest) */
export const BUILD_NICE = 10;

/** Lower the calling thread's priority (a no-op where threads cannot be named, e.g. not Linux). */
export function lowerThreadPriority(nice = BUILD_NICE): void {
  try {
    // /proc/thread-self → "<pid>/task/<tid>": setpriority with a thread id changes that thread only
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, nice);
  } catch {
    // not Linux, or not permitted: the build runs at the normal priority
  }
}
