/**
 * Row values: anonymous records (ROW(…), whole-row references) and composite types
 * (CREATE TYPE t AS (…)). A row value is a Value[] of its fields at runtime.
 *
 * An anonymous record's type is (OID.record, typmod) where the typmod names a registered
 * field list — PostgreSQL does the same with its "blessed" anonymous record types — so
 * field selection `(r).x`, text output `(1,x,)` and row_to_json know the field names and
 * types. A composite type's fields are its attributes (user-types.ts).
 *
 * Because an array value is a Value[] too, an array whose element type is a row type is
 * always one-dimensional here: its elements are the row values (isRowType tells the array
 * code not to descend into them).
 */
import { SqlError, SqlState } from '../errors.js';
import { OID, TYPES, sqlType, type SqlType, type Value } from './types.js';
import { compositeFields } from './user-types.js';

export interface RecordField {
  readonly name: string;
  readonly type: SqlType;
}

const byKey = new Map<string, number>();
const fieldsByTypmod: (readonly RecordField[])[] = [];

/** The record type with these fields (the same list always gives the same typmod). */
export function recordType(fields: readonly RecordField[]): SqlType {
  const key = JSON.stringify(fields.map((f) => [f.name, f.type.oid, f.type.typmod, f.type.domain]));
  let typmod = byKey.get(key);
  if (typmod === undefined) {
    typmod = fieldsByTypmod.length;
    fieldsByTypmod.push(fields.map((f) => ({ name: f.name, type: f.type })));
    byKey.set(key, typmod);
  }
  return sqlType(OID.record, typmod);
}

/** Is a value of this type a row (a Value[] of fields): record or a composite type. */
export function isRowType(oid: number): boolean {
  return oid === OID.record || TYPES.get(oid)?.category === 'C';
}

/** The fields of a record or composite type, or undefined for an unregistered (opaque) record and other types. */
export function recordFields(type: SqlType): readonly RecordField[] | undefined {
  if (type.oid === OID.record) return type.typmod < 0 ? undefined : fieldsByTypmod[type.typmod];
  return compositeFields(type.oid);
}

/** A field's type guessed from its value where the record's fields are unknown (a record cast without its typmod). */
function runtimeFieldType(v: Value): SqlType {
  if (typeof v === 'boolean') return sqlType(OID.bool);
  if (typeof v === 'bigint') return sqlType(OID.int8);
  if (typeof v === 'number') return sqlType(OID.float8);
  if (Array.isArray(v)) return sqlType(OID._text);
  return sqlType(OID.text);
}

/** record_out: `(1,"a b",)` — NULL fields empty, fields quoted when they need it. */
export function formatRecordWith(type: SqlType, value: readonly Value[], formatField: (t: SqlType, v: Value) => string): string {
  const fields = recordFields(type);
  const parts = value.map((v, i) => {
    if (v === null) return '';
    const s = formatField(fields?.[i]?.type ?? runtimeFieldType(v), v);
    if (s === '' || /[",\\()\s]/.test(s)) return '"' + s.replace(/(["\\])/g, '$1$1') + '"';
    return s;
  });
  return '(' + parts.join(',') + ')';
}

/** record_in over a composite type's fields: PostgreSQL's parser and its 22P02 DETAILs. */
export function parseRecordWith(type: SqlType, text: string, parseField: (t: SqlType, s: string) => Value): Value[] {
  const fields = recordFields(type);
  if (!fields) throw new SqlError(SqlState.featureNotSupported, 'input of anonymous composite types is not implemented');
  const bad = (detail: string): SqlError => new SqlError(SqlState.invalidTextRepresentation, `malformed record literal: "${text}"`, { detail });
  let p = 0;
  const isSpace = (c: string | undefined): boolean => c !== undefined && /[ \t\n\r\v\f]/.test(c);
  while (isSpace(text[p])) p++;
  if (text[p++] !== '(') throw bad('Missing left parenthesis.');
  const out: Value[] = [];
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) {
      if (text[p] === ',') p++;
      else throw bad('Too few columns.');
    }
    if (text[p] === ',' || text[p] === ')') {
      out.push(null);
      continue;
    }
    let inQuote = false;
    let buf = '';
    while (inQuote || !(text[p] === ',' || text[p] === ')')) {
      const ch = text[p++];
      if (ch === undefined) throw bad('Unexpected end of input.');
      if (ch === '\\') {
        if (p >= text.length) throw bad('Unexpected end of input.');
        buf += text[p++];
      } else if (ch === '"') {
        if (!inQuote) inQuote = true;
        else if (text[p] === '"') buf += text[p++];
        else inQuote = false;
      } else buf += ch;
    }
    out.push(parseField(fields[i]!.type, buf));
  }
  if (text[p++] !== ')') throw bad('Too many columns.');
  while (isSpace(text[p])) p++;
  if (p < text.length) throw bad('Junk after right parenthesis.');
  return out;
}
