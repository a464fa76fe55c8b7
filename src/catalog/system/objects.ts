/**
 * Facts about catalog objects shared by the system relations and the system information
 * functions, so that pg_description and obj_description(), pg_indexes.indexdef and
 * pg_get_indexdef() always agree.
 */
import { NAMESPACE, type Catalog, type ColumnDef, type IndexExpression, type TableDef } from '../catalog.js';
import { quoteIdent } from '../../types/identifiers.js';
import { OID, formatType, sqlType } from '../../types/types.js';
import { formatRegconfig } from '../../types/regconfig.js';
import { ALL_VISIBLE, qualifiedIn, type Visible } from '../functions/qualify.js';
import { BTREE_OPCLASSES } from './access-methods.js';

/** OIDs of the catalogs that classify objects (pg_description.classoid, obj_description's 2nd argument). */
export const CLASS_OID: Record<string, number> = {
  pg_class: 1259, pg_type: 1247, pg_proc: 1255, pg_namespace: 2615, pg_constraint: 2606, pg_extension: 3079,
  pg_database: 1262, pg_am: 2601, pg_attrdef: 2604, pg_index: 2610, pg_authid: 1260, pg_tablespace: 1213,
  pg_operator: 2617, pg_opclass: 2616, pg_trigger: 2620, pg_rewrite: 2618, pg_collation: 3456, pg_policy: 3256,
  pg_cast: 2605, pg_aggregate: 2600, pg_opfamily: 2753,
};

/** PostgreSQL's fixed role OIDs: the bootstrap superuser and the predefined roles clients see. */
export const ROLE = { bootstrap: 10, pg_database_owner: 6171 } as const;

export function roleName(oid: number, user: string): string {
  if (oid === ROLE.bootstrap) return user;
  if (oid === ROLE.pg_database_owner) return 'pg_database_owner';
  if (oid === 0) return '-';
  return `unknown (OID=${oid})`;
}

export function objectOwnerName(user: string): string {
  return user;
}

/** Built-in extensions' comments (pg_extension rows come with them in PostgreSQL). */
export const EXTENSION_COMMENTS: Record<string, string> = {
  plpgsql: 'PL/pgSQL procedural language',
  vector: 'vector data type and ivfflat and hnsw access methods',
};
export const PLPGSQL_OID = 13500;

export const NAMESPACE_COMMENTS: Record<number, string> = {
  [NAMESPACE.pg_catalog]: 'system catalog schema',
  [NAMESPACE.public]: 'standard public schema',
};

/** every pg_description row: (objoid, classoid, objsubid, description) */
export function descriptions(catalog: Catalog): [number, number, number, string][] {
  const rows: [number, number, number, string][] = [];
  for (const t of catalog.tables.values()) {
    if (t.comment) rows.push([t.oid, CLASS_OID.pg_class, 0, t.comment]);
    t.columns.forEach((c, i) => {
      const comment = (c as { comment?: string }).comment;
      if (comment) rows.push([t.oid, CLASS_OID.pg_class, i + 1, comment]);
    });
    for (const idx of t.indexes) {
      const comment = (idx as { comment?: string }).comment;
      if (comment) rows.push([idx.oid, CLASS_OID.pg_class, 0, comment]);
    }
    for (const con of t.constraints) if (con.comment) rows.push([con.oid, CLASS_OID.pg_constraint, 0, con.comment]);
  }
  for (const s of catalog.sequences.values()) if (s.comment) rows.push([s.oid, CLASS_OID.pg_class, 0, s.comment]);
  for (const f of catalog.functions.values()) if (f.comment) rows.push([f.oid, CLASS_OID.pg_proc, 0, f.comment]);
  for (const t of catalog.types.values()) if (t.comment) rows.push([t.oid, CLASS_OID.pg_type, 0, t.comment]);
  for (const d of catalog.domains.values()) if (d.comment) rows.push([d.oid, CLASS_OID.pg_type, 0, d.comment]);
  rows.push([PLPGSQL_OID, CLASS_OID.pg_extension, 0, EXTENSION_COMMENTS.plpgsql]);
  for (const e of catalog.extensions.values()) {
    const comment = EXTENSION_COMMENTS[e.name];
    if (comment && e.name !== 'plpgsql') rows.push([e.oid, CLASS_OID.pg_extension, 0, comment]);
  }
  for (const [oid, comment] of Object.entries(NAMESPACE_COMMENTS)) rows.push([Number(oid), CLASS_OID.pg_namespace, 0, comment]);
  for (const n of catalog.schemas.values()) if (n.comment) rows.push([n.oid, CLASS_OID.pg_namespace, 0, n.comment]);
  return rows;
}

export function descriptionOf(catalog: Catalog, objoid: number, classoid: number, objsubid: number): string | null {
  for (const [o, c, s, d] of descriptions(catalog)) if (o === objoid && c === classoid && s === objsubid) return d;
  return null;
}

function qualifiedName(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/**
 * pg_get_indexdef leaves out a column's operator class when it is its type's default for
 * the method: btree's (inet_ops for inet and cidr, text_ops …), and pgvector's one for
 * ivfflat (vector_l2_ops DEFAULT FOR TYPE vector); HNSW has none.
 */
function isDefaultOpclass(method: string, typeOid: number | undefined, opclass: string): boolean {
  if (method === 'btree' && typeOid !== undefined && BTREE_OPCLASSES[typeOid]?.[1] === opclass) return true;
  return method === 'ivfflat' && typeOid === OID.vector && opclass === 'vector_l2_ops';
}

/** pg_get_indexdef(oid) text, e.g. CREATE INDEX items_embedding_idx ON public.items USING hnsw (embedding vector_l2_ops) */
export function indexDef(t: TableDef, i: { name: string; unique: boolean; method: string; columns: readonly number[]; opclasses: readonly string[]; options: Readonly<Record<string, string>>; tsvectorConfig?: number; predicateSql?: string; predicatePlainSql?: string; expression?: IndexExpression; include?: readonly number[]; nullsNotDistinct?: boolean }, visible: Visible = ALL_VISIBLE, pretty = false): string {
  // pgvector's operator classes are in public (qualified when it is not on the search path)
  const opclass = (o: string | undefined, c: number) => (!o || o === 'default' || isDefaultOpclass(i.method, (i.expression?.type ?? t.columns[c]?.type)?.oid, o) ? ''
    : ` ${i.method === 'hnsw' || i.method === 'ivfflat' ? qualifiedIn(visible, 'public', o) : o}`);
  const key = (c: number) => (i.expression ? indexExpressionText(i.expression, pretty)
    : i.tsvectorConfig === undefined ? quoteIdent(t.columns[c].name)
      : `to_tsvector('${formatRegconfig(i.tsvectorConfig).replace(/'/g, "''")}'::regconfig, ${quoteIdent(t.columns[c].name)})`);
  const cols = i.columns.map((c, k) => key(c) + opclass(i.opclasses[k], c)).join(', ');
  const include = i.include?.length ? ` INCLUDE (${i.include.map((c) => quoteIdent(t.columns[c].name)).join(', ')})` : '';
  // ruleutils: NULLS NOT DISTINCT after INCLUDE, before WITH and WHERE
  const nulls = i.nullsNotDistinct ? ' NULLS NOT DISTINCT' : '';
  const opts = Object.entries(i.options);
  // as PostgreSQL's flatten_reloptions: a value that reads as an identifier is not quoted
  const withClause = opts.length ? ` WITH (${opts.map(([k, v]) => `${k}=${quoteIdent(v) === v ? v : `'${v.replace(/'/g, "''")}'`}`).join(', ')})` : '';
  // an index of a partitioned table is ON ONLY it: its partitions' indexes are attached to it
  // pretty mode names the table as generate_relation_name does: with its schema only when that is not visible
  const relation = pretty ? qualifiedIn(visible, t.schema, quoteIdent(t.name)) : qualifiedName(t.schema, t.name);
  // a partial index's WHERE (an index made before the plain text was kept: its text in parentheses)
  const plainWhere = i.predicatePlainSql ?? `(${i.predicateSql})`;
  const where = i.predicateSql ? ` WHERE ${pretty ? i.predicateSql : plainWhere}` : '';
  return `CREATE ${i.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(i.name)} ON ${t.kind === 'p' ? 'ONLY ' : ''}${relation} USING ${i.method} (${cols})${include}${nulls}${withClause}${where}`;
}

/**
 * An expression index key as pg_get_indexdef prints it: parenthesized unless it is a
 * function call (ruleutils' looks_like_function).
 */
export function indexExpressionText(e: IndexExpression, pretty: boolean): string {
  const text = pretty ? e.pretty : e.sql;
  return e.tree.kind === 'call' && /^[a-z_]/i.test(e.tree.name) ? text : `(${text})`;
}

/** pg_get_partkeydef: LIST (tenant) */
export function partitionKeyDef(t: TableDef): string | null {
  if (!t.partition) return null;
  return `${t.partition.strategy.toUpperCase()} (${t.partition.columns.map((c) => quoteIdent(t.columns[c].name)).join(', ')})`;
}

/**
 * A column default as PostgreSQL deparses it (pg_get_expr(adbin), information_schema
 * column_default): a bare string literal carries its cast to the column type, e.g.
 * DEFAULT 'none' on a text column reads back as 'none'::text. Without pretty mode (adbin,
 * pg_dump, information_schema) every operator has its parentheses: ((1 + 2) * 3).
 */
export function columnDefaultSql(c: ColumnDef, pretty = false): string | null {
  if (!c.defaultExpr) return null;
  const sql = pretty ? c.defaultExpr.sql : c.defaultExpr.plainSql ?? c.defaultExpr.sql;
  // a negative integer constant is folded to a Const, which ruleutils prints quoted with its type
  if (c.type.oid === OID.int4 && /^-\s*\d+$/.test(sql) && Number(sql.replace(/\s+/g, '')) >= -2147483648) return `'${Number(sql.replace(/\s+/g, ''))}'::integer`;
  if (/^'(?:[^']|'')*'$/.test(sql)) {
    // ruleutils prints int4 and bool constants bare (DEFAULT '5' on an integer column reads back as 5)
    const inner = sql.slice(1, -1).trim();
    if (c.type.oid === OID.int4 && /^[+-]?\d+$/.test(inner) && Math.abs(Number(inner)) <= 2147483647) {
      const n = String(Number(inner));
      return n.startsWith('-') ? `'${n}'::integer` : n;
    }
    if (c.type.oid === OID.bool && /^(t|tr|tru|true|y|ye|yes|on|1)$/i.test(inner)) return 'true';
    if (c.type.oid === OID.bool && /^(f|fa|fal|fals|false|n|no|of|off|0)$/i.test(inner)) return 'false';
    const base = c.type.oid === OID.bpchar ? 'bpchar' : formatType(sqlType(c.type.oid));
    return `${sql}::${base}`;
  }
  return sql;
}
