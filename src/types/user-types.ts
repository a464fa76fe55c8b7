/**
 * User-defined types (CREATE TYPE … AS ENUM) as the lower layers see them. TYPES (types.ts)
 * is keyed by OID, and OIDs are unique across the server's databases, so an enum's TypeInfo
 * and its labels can live in one process-wide registry: compare.ts orders enum values by
 * their labels' sort order, text-io.ts checks input against the labels. The catalog owns the
 * definitions and keeps this registry in step (registerEnum / unregisterDatabaseTypes).
 *
 * An enum value is its label's pg_enum OID (a number) at runtime, as PostgreSQL stores it:
 * RENAME VALUE changes no stored row, text and binary output print the label, and ORDER BY
 * and < compare enumsortorder, never the text.
 */
import { SqlError, SqlState } from '../errors.js';
import { TYPES, registerTypeInfo, unregisterTypeInfo, type SqlType } from './types.js';
import { quoteIdent } from './identifiers.js';

/** One pg_enum row. */
export interface EnumLabel {
  readonly oid: number;
  readonly label: string;
  /** enumsortorder (float4 in PostgreSQL: ADD VALUE BEFORE/AFTER puts a label between two others) */
  readonly sortOrder: number;
}

export interface UserTypeEntry {
  readonly oid: number;
  readonly arrayOid: number;
  readonly database: string;
  readonly schema: string;
  readonly name: string;
  /** labels by sort order */
  readonly labels: readonly EnumLabel[];
  /** label text → its pg_enum OID */
  readonly byLabel: ReadonlyMap<string, number>;
  /** a composite type (CREATE TYPE … AS (…)): its attributes in order; absent for an enum */
  readonly fields?: readonly CompositeField[];
  /** a composite type's pg_class row (relkind 'c') */
  readonly relid?: number;
}

/** One attribute of a composite type (a pg_attribute row of its pg_class row). */
export interface CompositeField {
  readonly name: string;
  readonly type: SqlType;
}

const ENTRIES = new Map<number, UserTypeEntry>();
/** every enum label by its OID: its text and its position in its type's order */
const LABELS = new Map<number, { readonly label: string; readonly position: number }>();

/**
 * Labels ALTER TYPE … ADD VALUE added in a transaction that has not committed yet (pg_enum.c's
 * uncommitted_enum_values): input of one is 55P04 until the transaction ends (the catalog is
 * shared, so for every session: PostgreSQL's others would not see the label at all).
 */
const UNCOMMITTED_LABELS = new Set<number>();

/** ADD VALUE in a transaction block: the label may not be used before the block commits. */
export function noteUncommittedEnumLabel(labelOid: number): void {
  UNCOMMITTED_LABELS.add(labelOid);
}

/** The transaction that added the labels ended (committed: they are safe now; rolled back: they are gone). */
export function endUncommittedEnumLabels(labelOids: readonly number[]): void {
  for (const oid of labelOids) UNCOMMITTED_LABELS.delete(oid);
}

/** PostgreSQL's check_safe_enum_use: a label added by a transaction still open is 55P04. */
export function checkSafeEnumUse(labelOid: number): number {
  if (UNCOMMITTED_LABELS.has(labelOid)) {
    const l = LABELS.get(labelOid);
    const type = [...ENTRIES.values()].find((e) => e.labels.some((x) => x.oid === labelOid));
    throw new SqlError(SqlState.unsafeNewEnumValueUsage, `unsafe use of new value "${l?.label ?? labelOid}" of enum type ${type ? userTypeDisplayName(type.oid) : labelOid}`, {
      hint: 'New enum values must be committed before they can be used.',
    });
  }
  return labelOid;
}

/** Add or replace an enum type (after CREATE TYPE, ALTER TYPE, or loading a catalog). */
export function registerEnum(def: { oid: number; arrayOid: number; database: string; schema: string; name: string; labels: readonly EnumLabel[] }): void {
  const old = ENTRIES.get(def.oid);
  if (old) {
    unregisterTypeInfo(old.arrayOid);
    for (const l of old.labels) LABELS.delete(l.oid);
  }
  const labels = [...def.labels].sort((a, b) => a.sortOrder - b.sortOrder);
  labels.forEach((l, i) => LABELS.set(l.oid, { label: l.label, position: i }));
  ENTRIES.set(def.oid, { oid: def.oid, arrayOid: def.arrayOid, database: def.database, schema: def.schema, name: def.name, labels, byLabel: new Map(labels.map((l) => [l.label, l.oid])) });
  registerTypeInfo({ oid: def.oid, name: def.name, len: 4, category: 'E', array: def.arrayOid, byval: true, align: 'i', delim: ',' });
  registerTypeInfo({ oid: def.arrayOid, name: '_' + def.name, len: -1, category: 'A', elem: def.oid, byval: false, align: 'i', delim: ',' });
}

/** Add or replace a composite type (CREATE TYPE … AS (…), ALTER TYPE, or loading a catalog): typtype 'c', category 'C'. */
export function registerComposite(def: { oid: number; arrayOid: number; relid: number; database: string; schema: string; name: string; fields: readonly CompositeField[] }): void {
  const old = ENTRIES.get(def.oid);
  if (old) unregisterTypeInfo(old.arrayOid);
  ENTRIES.set(def.oid, { oid: def.oid, arrayOid: def.arrayOid, database: def.database, schema: def.schema, name: def.name, labels: [], byLabel: new Map(), fields: def.fields, relid: def.relid });
  registerTypeInfo({ oid: def.oid, name: def.name, len: -1, category: 'C', array: def.arrayOid, byval: false, align: 'd', delim: ',' });
  registerTypeInfo({ oid: def.arrayOid, name: '_' + def.name, len: -1, category: 'A', elem: def.oid, byval: false, align: 'd', delim: ',' });
}

/** The attributes of a composite type, or undefined for any other type. */
export function compositeFields(oid: number): readonly CompositeField[] | undefined {
  return ENTRIES.get(oid)?.fields;
}

export function unregisterType(oid: number): void {
  const e = ENTRIES.get(oid);
  if (!e) return;
  ENTRIES.delete(oid);
  for (const l of e.labels) LABELS.delete(l.oid);
  unregisterTypeInfo(oid);
  unregisterTypeInfo(e.arrayOid);
}

/** Forget every type of a database (before its catalog is loaded again, or when it is dropped). */
export function unregisterDatabaseTypes(database: string): void {
  for (const e of [...ENTRIES.values()]) if (e.database === database) unregisterType(e.oid);
}

export function userType(oid: number): UserTypeEntry | undefined {
  return ENTRIES.get(oid);
}

export function isEnumType(oid: number): boolean {
  const e = ENTRIES.get(oid);
  return e !== undefined && e.fields === undefined;
}

/** An enum value's position in its type's order (for comparisons); a dropped label sorts last. */
export function enumPosition(labelOid: number): number {
  return LABELS.get(labelOid)?.position ?? Number.MAX_SAFE_INTEGER;
}

/** enum_out: the label of an enum value */
export function enumLabel(labelOid: number): string {
  const l = LABELS.get(labelOid);
  if (!l) throw new SqlError(SqlState.invalidBinaryRepresentation, `invalid internal value for enum: ${labelOid}`);
  return l.label;
}

/** enum_in: the label's OID, or PostgreSQL's 22P02 */
export function parseEnum(typeOid: number, text: string): number {
  const e = ENTRIES.get(typeOid);
  const oid = e?.byLabel.get(text);
  if (oid === undefined) {
    throw new SqlError(SqlState.invalidTextRepresentation, `invalid input value for enum ${e?.name ?? typeOid}: "${text}"`);
  }
  return UNCOMMITTED_LABELS.size === 0 ? oid : checkSafeEnumUse(oid);
}

/**
 * Where the binder looks up a type name: the session's database and search path. The engine
 * sets it before it binds a statement (binding is synchronous, so sessions cannot interleave
 * within one bind).
 */
let scope: { database: string; searchPath: readonly string[]; schemaExists: (name: string) => boolean } = { database: '', searchPath: ['public'], schemaExists: () => true };

export function setTypeScope(database: string, searchPath: readonly string[], schemaExists: (name: string) => boolean): void {
  scope = { database, searchPath, schemaExists };
}

/** Does the schema a type name is qualified with exist (in the current database)? */
export function typeSchemaExists(schema: string): boolean {
  return scope.schemaExists(schema);
}

/** A user type by (optionally qualified) name in the current database, by the search path. */
export function findUserType(schema: string | undefined, name: string): UserTypeEntry | undefined {
  return findInScope(ENTRIES.values(), schema, name);
}

/** The type of that name in the current database: in `schema`, else in the first schema of the search path that has one. */
function findInScope<T extends { readonly database: string; readonly schema: string; readonly name: string }>(all: Iterable<T>, schema: string | undefined, name: string): T | undefined {
  const inDb = [...all].filter((e) => e.database === scope.database && e.name === name);
  if (schema !== undefined) return inDb.find((e) => e.schema === schema);
  for (const s of scope.searchPath) {
    const hit = inDb.find((e) => e.schema === s);
    if (hit) return hit;
  }
  return undefined;
}

/** Is the type's schema on the current search path (format_type leaves its name unqualified then)? */
export function userTypeVisible(e: UserTypeEntry): boolean {
  return e.schema === 'pg_catalog' || findUserType(undefined, e.name)?.oid === e.oid;
}

/** format_type's name of a user type: qualified with its schema when the search path does not find it */
export function userTypeDisplayName(oid: number): string | undefined {
  const e = ENTRIES.get(oid);
  if (!e) return undefined;
  return userTypeVisible(e) ? quoteIdent(e.name) : `${quoteIdent(e.schema)}.${quoteIdent(e.name)}`;
}

/**
 * Domains (CREATE DOMAIN): a value of a domain is a value of its base type (SqlType.domain
 * marks it), so the lower layers only need a domain's name, base type and array type here;
 * its constraints are bound and enforced above (sql/bind-domain.ts, executor).
 */
export interface DomainEntry {
  readonly oid: number;
  readonly arrayOid: number;
  readonly database: string;
  readonly schema: string;
  readonly name: string;
  /** the base type as the domain was declared over it (itself a domain's type for a domain over a domain) */
  readonly base: SqlType;
}

const DOMAINS = new Map<number, DomainEntry>();
/** a domain's array type → the domain */
const DOMAIN_ARRAYS = new Map<number, DomainEntry>();

/** Add or replace a domain (after CREATE / ALTER DOMAIN, or loading a catalog). */
export function registerDomain(def: DomainEntry): void {
  unregisterDomain(def.oid);
  DOMAINS.set(def.oid, def);
  DOMAIN_ARRAYS.set(def.arrayOid, def);
  const info = TYPES.get(def.base.oid);
  registerTypeInfo({ oid: def.oid, name: def.name, len: info?.len ?? -1, category: info?.category === 'A' ? 'U' : info?.category ?? 'U', array: def.arrayOid, byval: info?.byval ?? false, align: info?.align ?? 'i', delim: ',' });
  registerTypeInfo({ oid: def.arrayOid, name: '_' + def.name, len: -1, category: 'A', elem: def.oid, byval: false, align: info?.align === 'd' ? 'd' : 'i', delim: ',' });
}

export function unregisterDomain(oid: number): void {
  const d = DOMAINS.get(oid);
  if (!d) return;
  DOMAINS.delete(oid);
  DOMAIN_ARRAYS.delete(d.arrayOid);
  unregisterTypeInfo(oid);
  unregisterTypeInfo(d.arrayOid);
}

/** Forget every domain of a database (before its catalog is loaded again, or when it is dropped). */
export function unregisterDatabaseDomains(database: string): void {
  for (const d of [...DOMAINS.values()]) if (d.database === database) unregisterDomain(d.oid);
}

export function domainEntry(oid: number): DomainEntry | undefined {
  return DOMAINS.get(oid);
}

/** the domain whose array type this is */
export function domainOfArray(arrayOid: number): DomainEntry | undefined {
  return DOMAIN_ARRAYS.get(arrayOid);
}

/** A domain by (optionally qualified) name in the current database, by the search path. */
export function findDomain(schema: string | undefined, name: string): DomainEntry | undefined {
  return findInScope(DOMAINS.values(), schema, name);
}

/** The SqlType of a column (or value) of the domain (arrayOf: of its array type d[]). */
export function domainType(d: DomainEntry, arrayOf = false): SqlType {
  if (!arrayOf) return { oid: d.base.oid, typmod: d.base.typmod, domain: d.oid };
  return { oid: TYPES.get(d.base.oid)?.array ?? d.base.oid, typmod: d.base.typmod, domain: d.arrayOid };
}

/**
 * The value type of a parameter declared with type `oid` (PREPARE p(d), Parse's types): a
 * domain's or a domain array's OID gives the domain's value type (its base marked with it),
 * so the parameter is checked as a coercion to the domain and shows as the domain.
 */
export function declaredParamType(oid: number): SqlType {
  const d = DOMAINS.get(oid);
  if (d) return domainType(d);
  const a = DOMAIN_ARRAYS.get(oid);
  return a ? domainType(a, true) : { oid, typmod: -1 };
}

/**
 * The type OID a value is sent as (RowDescription, array_send's element type): a domain's
 * value as its base type (PostgreSQL's getBaseTypeAndTypmod), but an array of a domain as
 * the domain's array type, which is no domain itself.
 */
export function wireTypeOid(t: SqlType): number {
  return t.domain !== undefined && DOMAIN_ARRAYS.has(t.domain) ? t.domain : t.oid;
}

/** format_type's name of a domain or of a domain's array type (qualified when the search path does not find it) */
export function domainDisplayName(oid: number): string | undefined {
  const d = DOMAINS.get(oid) ?? DOMAIN_ARRAYS.get(oid);
  if (!d) return undefined;
  const visible = d.schema === 'pg_catalog' || findDomain(undefined, d.name)?.oid === d.oid;
  const name = visible ? quoteIdent(d.name) : `${quoteIdent(d.schema)}.${quoteIdent(d.name)}`;
  return d.oid === oid ? name : `${name}[]`;
}
