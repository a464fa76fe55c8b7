/**
 * COPY's parts that need the parse tree: its options (FORMAT, DELIMITER, NULL, HEADER, …)
 * and the table columns a COPY FROM fills. The engine runs the bound result.
 */
import type { Node } from '@pgsql/types';
import { SqlError, SqlState } from '../errors.js';
import type { TableDef } from '../catalog/catalog.js';

export interface CopyOptions {
  readonly format: 'text' | 'csv' | 'binary';
  readonly delimiter: string;
  readonly null: string;
  readonly header: boolean;
  readonly quote: string;
  readonly escape: string;
  readonly forceNotNull: readonly string[];
}

/** A DefElem argument as PostgreSQL's defGetString reads it (numbers and booleans as text). */
function optionText(v: Node | undefined): string | undefined {
  if (!v) return undefined;
  if ('String' in v) return v.String.sval;
  if ('Integer' in v) return String(v.Integer.ival ?? 0);
  if ('Boolean' in v) return String(v.Boolean.boolval);
  return undefined;
}

export function copyOptions(options: readonly Node[] | undefined): CopyOptions {
  let format: CopyOptions['format'] = 'text';
  const raw = new Map<string, Node | undefined>();
  for (const o of options ?? []) if ('DefElem' in o) raw.set(o.DefElem.defname ?? '', o.DefElem.arg);
  const f = optionText(raw.get('format'));
  if (f) {
    if (!['text', 'csv', 'binary'].includes(f)) throw new SqlError(SqlState.invalidParameterValue, `COPY format "${f}" not recognized`);
    format = f as CopyOptions['format'];
  }
  const csv = format === 'csv';
  const delimiter = optionText(raw.get('delimiter')) ?? (csv ? ',' : '\t');
  if (delimiter.length !== 1) throw new SqlError(SqlState.featureNotSupported, 'COPY delimiter must be a single one-byte character');
  const header = raw.has('header') && (raw.get('header') === undefined || !['false', 'off', '0'].includes(String(optionText(raw.get('header'))).toLowerCase()));
  if (header && format === 'text') throw new SqlError(SqlState.featureNotSupported, 'COPY HEADER available only in CSV mode');
  const quote = optionText(raw.get('quote')) ?? '"';
  const notNull = raw.get('force_not_null');
  const forceNotNull = notNull && 'List' in notNull ? stringList(notNull.List.items) : [];
  return { format, delimiter, null: optionText(raw.get('null')) ?? (csv ? '' : '\\N'), header, quote, escape: optionText(raw.get('escape')) ?? quote, forceNotNull };
}

/** The names of a list of String nodes (column lists). */
export function stringList(items: readonly Node[] | undefined): string[] {
  return (items ?? []).map((x) => ('String' in x ? x.String.sval ?? '' : ''));
}

export interface CopyTarget {
  readonly table: TableDef;
  /** 0-based table columns, in the order the data holds them */
  readonly columns: readonly number[];
}

export function copyTarget(table: TableDef, attlist: readonly Node[] | undefined): CopyTarget {
  // without a column list COPY leaves out stored generated columns, both ways (PostgreSQL 15)
  if (!attlist || attlist.length === 0) return { table, columns: table.columns.flatMap((c, i) => (c.generated ? [] : [i])) };
  const columns = stringList(attlist).map((name) => {
    const i = table.columns.findIndex((c) => c.name === name);
    if (i < 0) throw new SqlError(SqlState.undefinedColumn, `column "${name}" of relation "${table.name}" does not exist`);
    return i;
  });
  return { table, columns };
}
