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
import type { DataRows } from './writer.js';

export type TextSettings = FormatSettings & ParseSettings;

/** Encode one result value; format 0 text, 1 binary. NULL → null. */
export function encodeValue(type: SqlType, value: Value, format: number, settings: TextSettings): Buffer | null {
  if (value === null) return null;
  if (format === 1) return encodeBinary(type, value);
  return Buffer.from(formatText(type, value, settings), 'utf8');
}

/** encodeValue's bytes written into a result's DataRow frames (a text value without a Buffer of its own) */
export function writeValue(out: DataRows, type: SqlType, value: Value, format: number, settings: TextSettings): void {
  if (value === null) out.bytes(null);
  else if (format === 1) out.bytes(encodeBinary(type, value));
  else out.text(formatText(type, value, settings));
}

/** encodeTextOutput's bytes written into a result's DataRow frames */
export function writeTextOutput(out: DataRows, type: SqlType, text: Value, format: number, settings: TextSettings): void {
  if (text === null) out.bytes(null);
  else if (format === 1) out.bytes(encodeBinary(type, parseText(type, text as string, settings)));
  else out.text(text as string);
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
