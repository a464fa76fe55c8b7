/**
 * One commit at a time validates and applies itself to memory, even when a big one does so
 * in pieces between turns of the event loop (turns.ts): a later commit's conflict checks
 * must see every earlier commit whole, and timestamps must reach the write-ahead log's
 * group commit in the order they were handed out. Seals and compactions take the same
 * turn for their in-memory swaps, so no swap lands between two pieces of a commit.
 *
 * Taking a free turn is synchronous (no await), so a small commit costs nothing extra.
 */
export class CommitQueue {
  private held = false;
  private readonly waiting: (() => void)[] = [];

  /** Take the turn: undefined when it was free and is now this caller's, else a promise of it. */
  enter(): Promise<void> | undefined {
    if (!this.held) {
      this.held = true;
      return undefined;
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Give the turn to the next waiter (first come, first served), or free it. */
  leave(): void {
    if (!this.held) throw new Error('bug: commit queue left without being entered');
    const next = this.waiting.shift();
    if (next) next();
    else this.held = false;
  }

  /** Run `work` in a turn of its own. */
  async exclusive<T>(work: () => T | Promise<T>): Promise<T> {
    const wait = this.enter();
    if (wait) await wait;
    try {
      return await work();
    } finally {
      this.leave();
    }
  }
}
