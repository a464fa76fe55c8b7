/**
 * Per key, a value built once off the session thread (a sorted column index sorted in a
 * worker): readers that cannot wait go on without it while it builds, readers that can
 * wait get the one build in flight. A failed build counts as "none" for good, so callers
 * fall back to reading rows instead of retrying a worker that died.
 */
export class BuiltInBackground<K, V> {
  private readonly done = new Map<K, V | undefined>();
  private readonly inFlight = new Map<K, Promise<V | undefined>>();

  /** the value if its build finished (undefined while building, never started, or none) */
  get(key: K): V | undefined {
    return this.done.get(key);
  }

  /** whether the build finished (with a value or with none) */
  settled(key: K): boolean {
    return this.done.has(key);
  }

  /**
   * The value once built. `start` runs for the first caller only: it returns the build, or
   * undefined when there is nothing to build (the key has no value, for good).
   */
  built(key: K, start: () => Promise<V | undefined> | undefined): Promise<V | undefined> {
    if (this.done.has(key)) return Promise.resolve(this.done.get(key));
    const running = this.inFlight.get(key);
    if (running) return running;
    const build = start();
    if (!build) {
      this.done.set(key, undefined);
      return Promise.resolve(undefined);
    }
    const settled = build
      .catch(() => undefined)
      .then((value) => {
        this.done.set(key, value);
        this.inFlight.delete(key);
        return value;
      });
    this.inFlight.set(key, settled);
    return settled;
  }
}
