/**
 * crc32_combine as zlib defines it (crc32.c, the GF(2) matrix method): the crc32 of A then B
 * from crc32(A), crc32(B) and B's length, so a file's crc can use the crc of a part taken
 * earlier, elsewhere (column-block-crc.ts). node:zlib has crc32 but not its combine.
 */

/** the matrix `mat` (32 columns, GF(2)) times the vector `vec` */
function times(mat: Uint32Array, vec: number): number {
  let sum = 0;
  for (let i = 0; vec !== 0; i++, vec >>>= 1) if (vec & 1) sum ^= mat[i]!;
  return sum >>> 0;
}

function square(out: Uint32Array, mat: Uint32Array): void {
  for (let n = 0; n < 32; n++) out[n] = times(mat, mat[n]!);
}

/** crc32 of A followed by B, given crc32(A) = `crc1`, crc32(B) = `crc2` and B's length */
export function crc32Combine(crc1: number, crc2: number, len2: number): number {
  if (len2 <= 0) return crc1 >>> 0;
  const even = new Uint32Array(32);
  const odd = new Uint32Array(32);
  // the operator for one zero bit: the reflected polynomial, then shifts
  odd[0] = 0xedb88320;
  for (let n = 1, row = 1; n < 32; n++, row <<= 1) odd[n] = row;
  square(even, odd); // two zero bits
  square(odd, even); // four
  let crc = crc1 >>> 0;
  // zero bytes appended to A, a power of two at a time (len2 may be past 2^31: halved by division)
  let len = len2;
  for (;;) {
    square(even, odd);
    if (len % 2 === 1) crc = times(even, crc);
    len = Math.floor(len / 2);
    if (len === 0) break;
    square(odd, even);
    if (len % 2 === 1) crc = times(odd, crc);
    len = Math.floor(len / 2);
    if (len === 0) break;
  }
  return (crc ^ crc2) >>> 0;
}
