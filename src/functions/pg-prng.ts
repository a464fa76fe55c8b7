/**
 * PostgreSQL 15's pseudo-random generator (src/common/pg_prng.c): xoroshiro128** seeded by
 * splitmix64, so that `SELECT setseed(0.5); SELECT random()` gives PostgreSQL's numbers.
 * Without setseed a session's generator starts from a random seed, as PostgreSQL's does.
 */
const MASK = (1n << 64n) - 1n;
const rotl = (x: bigint, bits: bigint): bigint => ((x << bits) | (x >> (64n - bits))) & MASK;

function splitmix64(state: { s: bigint }): bigint {
  state.s = (state.s + 0x9e3779b97f4a7c15n) & MASK;
  let v = state.s;
  v = ((v ^ (v >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
  v = ((v ^ (v >> 27n)) * 0x94d049bb133111ebn) & MASK;
  return v ^ (v >> 31n);
}

export class PgPrng {
  private s0 = 0n;
  private s1 = 0n;

  constructor(seed: bigint = BigInt.asUintN(64, BigInt(Math.floor(Math.random() * 2 ** 52)) * 4096n + BigInt(Date.now() & 4095))) {
    this.seed(seed);
  }

  /** pg_prng_seed */
  seed(seed: bigint): void {
    const state = { s: BigInt.asUintN(64, seed) };
    this.s0 = splitmix64(state);
    this.s1 = splitmix64(state);
    // pg_prng_seed_check: never all zeroes
    if (this.s0 === 0n && this.s1 === 0n) { this.s0 = 0x5851f42d4c957f2dn; this.s1 = 0x14057b7ef767814fn; }
  }

  /** pg_prng_fseed: a double in [-1, 1] scaled to 52 bits (the sign contributes too) */
  fseed(fseed: number): void {
    this.seed(BigInt.asUintN(64, BigInt(Math.trunc((2 ** 52 - 1) * fseed))));
  }

  /** xoroshiro128** */
  private next(): bigint {
    const s0 = this.s0;
    let s1 = this.s1;
    const val = (rotl((s0 * 5n) & MASK, 7n) * 9n) & MASK;
    s1 ^= s0;
    this.s0 = rotl(s0, 24n) ^ s1 ^ ((s1 << 16n) & MASK);
    this.s1 = rotl(s1, 37n);
    return val;
  }

  /** pg_prng_double: [0, 1) from the top 52 bits */
  double(): number {
    return Number(this.next() >> 12n) * 2 ** -52;
  }
}
