/**
 * Values in the wire protocol's two formats, by parameter / result format code: text goes
 * through the shared text I/O (formatText / parseText), binary through the per-OID codecs
 * of types/binary-format.ts.
 */
import type { SqlType, Value } from '../types/types.js';
import { formatText, parseText, type FormatSettings, type ParseSettings } from '../types/text-io.js';
import { decodeBinary, decodeUtf8, encodeBinary } from '../types/binary-format.js';
import { OID } from '../types/types.js';
import { parseVectorBytes } from '../types/vector.js';

export type TextSettings = FormatSettings & ParseSettings;

/** Encode one result value; format 0 text, 1 binary. NULL → null. */
export function encodeValue(type: SqlType, value: Value, format: number, settings: TextSettings): Buffer | null {
  if (value === null) return null;
  if (format === 1) return encodeBinary(type, value);
  return Buffer.from(formatText(type, value, settings), 'utf8');
}

/** A value that is its column's text output already (ExecResult `text`): as it is in text, parsed and encoded for binary. */
export function encodeTextOutput(type: SqlType, text: Value, format: number, settings: TextSettings): Buffer | null {
  if (text === null) return null;
  if (format === 1) return encodeBinary(type, parseText(type, text as string, settings));
  return Buffer.from(text as string, 'utf8');
}

/**
 * Decode one Bind parameter (index is 0-based). Errors follow PostgreSQL: short data is
 * 08P01 "insufficient data left in message", leftover bytes are 22P03. `settings` may be
 * a function: it is then called only when a text input needs them.
 */
export function decodeParam(type: SqlType, data: Buffer | null, format: number, index: number, settings: TextSettings | (() => TextSettings) = {}): Value {
  if (data === null) return null;
  if (format === 0) {
    // a vector as clients send it (k-NN's query) is read from its bytes, no string made
    const vector = type.oid === OID.vector ? parseVectorBytes(data, type.typmod) : undefined;
    return vector ?? parseText(type, decodeUtf8(data), typeof settings === 'function' ? settings() : settings);
  }
  return decodeBinary(type, data, `incorrect binary data format in bind parameter ${index + 1}`);
}
