/**
 * Which shard a row belongs to. The shard of a key is
 *
 *   fnv1a32( for each key column in primary-key order:
 *              int32 length (-1 for NULL) ‖ the value's binary send format as the
 *              column's type gives it (int4 5 is 00 00 00 05, text is its UTF-8 bytes) )
 *   mod N
 *
 * FNV-1a over the binary send format is stable across processes, versions and platforms
 * (no seeds, no JS number formatting), and the value is first coerced to the column's type,
 * so `id = 5`, `id = '5'` and `id = $1` (sent as int8) land on the same shard. A type without
 * a binary codec hashes its text output. Changing this function re-shards every cluster: it
 * is part of the on-disk format.
 */
import { encodeBinary, hasBinaryCodec } from '../../types/binary-format.js';
import { formatText, parseText } from '../../types/text-io.js';
import type { SqlType, Value } from '../../types/types.js';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function fnv1a(hash: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) {
    hash ^= bytes[i]!;
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
}

/** The bytes a key value hashes as, in its column's type. */
function keyBytes(type: SqlType, value: Value): Buffer {
  if (hasBinaryCodec(type.oid)) return encodeBinary(type, value);
  return Buffer.from(formatText(type, value), 'utf8');
}

/** The shard (0 … shards-1) of a key: one value per key column, already of the column's type. */
export function shardOfKey(types: readonly SqlType[], values: readonly Value[], shards: number): number {
  let hash = FNV_OFFSET;
  const len = Buffer.alloc(4);
  for (let i = 0; i < types.length; i++) {
    const v = values[i] ?? null;
    const bytes = v === null ? null : keyBytes(types[i]!, v);
    len.writeInt32BE(bytes === null ? -1 : bytes.length);
    hash = fnv1a(hash, len);
    if (bytes) hash = fnv1a(hash, bytes);
  }
  return hash % shards;
}

/** A value of one type as the key column's type has it (text I/O as the cast). */
export function coerceKey(value: Value, from: SqlType, to: SqlType): Value {
  if (value === null || from.oid === to.oid) return value;
  return parseText(to, formatText(from, value));
}

/** A literal's text as the key column's type has it. */
export function keyFromLiteral(text: string, to: SqlType): Value {
  return parseText(to, text);
}
