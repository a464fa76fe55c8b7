/**
 * Check LevelDB's own log files before LevelDB replays them.
 *
 * LevelDB (without paranoid checks, which classic-level does not expose) silently drops a
 * damaged log record *and the rest of its 32 KiB block* during recovery, then deletes the
 * log. That is fine for a torn final write (a crash mid-write: never acknowledged, since
 * the sync did not finish), but a damaged record with valid records after it means
 * acknowledged commits would vanish. So we read the log format ourselves first:
 *
 *   file   = 32 KiB blocks; a block ends with < 7 zero bytes of padding
 *   record = masked crc32c(type + data) (4 bytes LE) | length (2 bytes LE) | type (1) | data
 *   type   = 1 FULL, 2 FIRST, 3 MIDDLE, 4 LAST (0 = zero padding / preallocation)
 *
 * A bad record with nothing valid after it is a torn tail: reported, and left for LevelDB
 * to cut off. A bad record followed by valid ones stops the start.
 */
import { openSync, readSync, closeSync, fstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const BLOCK = 32768;
const HEADER = 7;

const CRC32C_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c;
  }
  return t;
})();

function crc32c(bytes: Uint8Array, start: number, end: number): number {
  let c = ~0;
  for (let i = start; i < end; i++) c = CRC32C_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

function unmask(masked: number): number {
  const rot = (masked - 0xa282ead8) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}

export interface LogCheck {
  readonly file: string;
  readonly bytes: number;
  /** offset of a damaged record that has valid records after it */
  readonly corruptAt?: number;
  /** bytes at the end that LevelDB will cut off (torn final write) */
  readonly tornTailBytes: number;
}

function readAll(path: string): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const buf = new Uint8Array(size);
    let off = 0;
    while (off < size) {
      const n = readSync(fd, buf, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off);
  } finally {
    closeSync(fd);
  }
}

/** Scan one LevelDB log file. */
export function checkLogFile(path: string): LogCheck {
  const b = readAll(path);
  let pos = 0;
  let firstBad = -1;
  let lastGoodEnd = 0;
  let badThenGood = -1;
  while (pos < b.length) {
    const blockLeft = BLOCK - (pos % BLOCK);
    if (blockLeft < HEADER) { pos += blockLeft; continue; }
    if (pos + HEADER > b.length) break; // truncated header: torn tail
    const masked = (b[pos] | (b[pos + 1] << 8) | (b[pos + 2] << 16) | (b[pos + 3] << 24)) >>> 0;
    const len = b[pos + 4] | (b[pos + 5] << 8);
    const type = b[pos + 6];
    if (type === 0 && len === 0 && masked === 0) { pos += blockLeft; continue; } // zero padding
    const end = pos + HEADER + len;
    const plausible = type >= 1 && type <= 4 && HEADER + len <= blockLeft;
    if (plausible && end > b.length) break; // record cut short by the end of the file: torn tail
    if (plausible && unmask(masked) === crc32c(b, pos + 6, end)) {
      if (firstBad >= 0 && badThenGood < 0) badThenGood = firstBad;
      lastGoodEnd = end;
      pos = end;
      continue;
    }
    if (firstBad < 0) firstBad = pos;
    // Cannot trust the length: resynchronize at the next block.
    pos = plausible ? end : pos + blockLeft;
  }
  return {
    file: path,
    bytes: b.length,
    corruptAt: badThenGood >= 0 ? badThenGood : undefined,
    tornTailBytes: b.length - lastGoodEnd > 0 && (firstBad >= 0 || lastGoodEnd < b.length) ? trailingNonZero(b, lastGoodEnd) : 0,
  };
}

/** Bytes after the last good record that are not just block padding. */
function trailingNonZero(b: Uint8Array, from: number): number {
  let last = -1;
  for (let i = b.length - 1; i >= from; i--) if (b[i] !== 0) { last = i; break; }
  return last < 0 ? 0 : last + 1 - from;
}

/** Check every LevelDB log file in a directory. */
export function checkLogDir(dir: string): LogCheck[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
  } catch {
    return [];
  }
  return names.map((f) => checkLogFile(join(dir, f)));
}
