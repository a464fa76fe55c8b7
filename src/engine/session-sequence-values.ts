/**
 * currval and lastval are a session's own (sequence.c's SeqTable): the value nextval last
 * returned here for each sequence (setval with is_called too), and the sequence nextval used
 * last. DISCARD SEQUENCES / ALL forgets them.
 */
export class SessionSequenceValues {
  private readonly values = new Map<number, bigint>();
  private lastUsed: number | undefined;

  /** nextval returned `value` (setval: `used` false, lastval stays) */
  note(sequence: number, value: bigint, used = true): void {
    this.values.set(sequence, value);
    if (used) this.lastUsed = sequence;
  }

  current(sequence: number): bigint | undefined {
    return this.values.get(sequence);
  }

  /** the sequence lastval reads, if nextval ran in this session */
  last(): number | undefined {
    return this.lastUsed;
  }

  reset(): void {
    this.values.clear();
    this.lastUsed = undefined;
  }
}
