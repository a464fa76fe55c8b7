/**
 * Anonymous record (row) values: ROW(…), whole-row references (`SELECT t FROM t`,
 * `row_to_json(t)`), several-column set-returning functions in the select list.
 *
 * A record value is a Value[] of its fields. Its type is (OID.record, typmod) where the
 * typmod names a registered field list — PostgreSQL does the same with its "blessed"
 * anonymous record types — so field selection `(r).x`, text output `(1,x,)` and
 * row_to_json know the field names and types.
 */
import { formatText, type FormatSettings } from '../types/text-io.js';
import { formatJsonb, normalizeJsonb } from '../types/json.js';
import { compositeToJson, toJsonValue } from './json-build.js';
import { formatSettingsOf } from './casts.js';
import type { EvalContext, ScalarFunction } from './api.js';
import { OID, sqlType, type SqlType, type Value } from '../types/types.js';
import { formatRecordWith } from '../types/records.js';

export { recordType, recordFields, isRowType, type RecordField } from '../types/records.js';

/** record_out: `(1,"a b",)` — NULL fields empty, fields quoted when they need it. */
export function formatRecord(type: SqlType, value: Value[], settings: FormatSettings): string {
  return formatRecordWith(type, value, (t, v) => formatText(t, v, settings));
}

/** A function of one record argument (its type fixed at bind time). */
function recordFunction(argType: SqlType, returnType: SqlType, impl: (v: Value[], ctx: EvalContext) => Value): ScalarFunction {
  return { kind: 'scalar', argTypes: [argType], returnType, strict: true, volatile: false, impl: ([v], ctx) => impl(v as Value[], ctx) };
}

/** row_to_json(record), to_json(record), to_jsonb(record), record::text; undefined for other names. */
export function recordFunctionFor(name: string, argType: SqlType): ScalarFunction | undefined {
  switch (name) {
    case 'row_to_json':
    case 'to_json':
      return recordFunction(argType, sqlType(OID.json), (v, ctx) => compositeToJson(argType, v, formatSettingsOf(ctx), false));
    case 'to_jsonb':
      return recordFunction(argType, sqlType(OID.jsonb), (v, ctx) => formatJsonb(normalizeJsonb(toJsonValue(argType, v, formatSettingsOf(ctx)))));
    case 'text':
      return recordFunction(argType, sqlType(OID.text), (v, ctx) => formatRecord(argType, v, formatSettingsOf(ctx)));
  }
  return undefined;
}
