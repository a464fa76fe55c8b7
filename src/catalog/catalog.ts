/**
 * The catalog: schemas, tables, columns, indexes, sequences and their OIDs. It knows
 * what exists, never how rows are stored. System relations (pg_catalog,
 * information_schema) are views computed from this state on demand (see system/).
 */
import type { LockRow } from './system/locks.js';
import { SqlError, SqlState } from '../errors.js';
import type { Row, SqlType } from '../types/types.js';
import { registerComposite, registerDomain, registerEnum, unregisterDatabaseDomains, unregisterDatabaseTypes, unregisterDomain, unregisterType, type EnumLabel } from '../types/user-types.js';
import type { PartitionBound } from './partitions.js';
import type { AclItem, Roles, RolesData, Securable } from './roles.js';
import { BOOTSTRAP_ROLE } from './roles.js';
import { BUILTIN_SCHEMA_OIDS, isTempSchema, type SchemaDef } from './schemas.js';
export type { SchemaDef } from './schemas.js';

export { NAMESPACE } from './schemas.js';
const FIRST_USER_OID = 16400;

export interface ColumnDef {
  readonly name: string;
  readonly type: SqlType;
  readonly notNull: boolean;
  /**
   * the DEFAULT expression, or null: its parse tree as plain JSON (src/sql/ binds it at each
   * use) and its text as pg_get_expr prints it, deparsed from the tree at DDL time
   */
  readonly defaultExpr: { ast: unknown; sql: string; /** without pretty mode (pg_dump); absent in older catalogs */ plainSql?: string } | null;
  /** 1-based attribute number */
  readonly attnum: number;
  /** sequence owned by this column (serial / identity) */
  readonly sequence?: string;
  readonly identity?: 'a' | 'd';
  /** 's': GENERATED ALWAYS AS (defaultExpr) STORED, computed from the row on every write */
  readonly generated?: 's';
  /** COMMENT ON COLUMN */
  comment?: string;
  /** attacl: column privileges (GRANT SELECT (col) …); absent or null: none */
  acl?: AclItem[] | null;
}

export interface IndexDef {
  readonly oid: number;
  readonly name: string;
  readonly tableOid: number;
  /** 0-based column positions */
  readonly columns: readonly number[];
  readonly unique: boolean;
  /** NULLS NOT DISTINCT (pg_index.indnullsnotdistinct): a unique key's NULLs are equal */
  readonly nullsNotDistinct?: true;
  readonly primary: boolean;
  /** btree, hnsw, ivfflat */
  readonly method: string;
  /** operator class per column, e.g. vector_l2_ops */
  readonly opclasses: readonly string[];
  readonly options: Readonly<Record<string, string>>;
  /** gin over to_tsvector(<this regconfig OID>, columns[0]) instead of the column itself */
  readonly tsvectorConfig?: number;
  /** hnsw / ivfflat over an expression of columns[0] (binary_quantize(v)::bit(3)) instead of the column itself */
  readonly expression?: IndexExpression;
  /** constraint that owns this index (PRIMARY KEY / UNIQUE), if any */
  readonly constraintOid?: number;
  /** a partition's index made for an index of its partitioned table: that index's OID */
  readonly parentIndex?: number;
  /**
   * A partial HNSW index that holds only the rows meeting all of these (its WHERE, when it
   * is such conjuncts: see planner/partial-index.ts); the planner uses it only for a
   * query whose WHERE has each of them too.
   */
  readonly predicate?: readonly IndexCondition[];
  /** a partial index's WHERE as pg_get_indexdef(oid, 0, true) prints it (deparsed from its bound tree at DDL time) */
  readonly predicateSql?: string;
  /** the same without pretty mode (pg_get_indexdef(oid), pg_dump); absent in catalogs older than it */
  readonly predicatePlainSql?: string;
  /**
   * A partial UNIQUE B-tree index's WHERE as a tree over the table's columns: storage keeps
   * the key of the rows meeting it only (executor/index-predicate.ts), so uniqueness holds
   * among them alone and the key is no superset the planner may look other rows up in.
   */
  readonly predicateTree?: PredicateNode;
  /** INCLUDE (c, …) of a B-tree index: 0-based non-key columns (pg_index attributes after indnkeyatts) */
  readonly include?: readonly number[];
  /**
   * A hash index's buckets when it was built (CREATE INDEX, or TRUNCATE's rebuild): _hash_init's
   * count for the table's rows estimated then, which its pages grow from (planner/hash-index-size.ts)
   */
  hashBuckets?: number;
  /**
   * A B-tree's rows when it was built (CREATE INDEX's bulk build, 0 with CREATE TABLE or after
   * TRUNCATE): the rows since came by INSERT, whose page splits leave leaves less full
   * (planner/btree-cost.ts btreeLayout). Absent: unknown, every row counted as bulk-built.
   */
  builtRows?: number;
}

/** A partial unique index's WHERE as the catalog keeps it (IndexDef.predicateTree). */
export type PredicateNode =
  /** the table's column at 0-based position `index` */
  | { readonly kind: 'column'; readonly index: number }
  /** a constant in its type's text form (NULL: null) */
  | { readonly kind: 'const'; readonly type: SqlType; readonly text: string | null }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly PredicateNode[]; readonly argTypes: readonly SqlType[] }
  | { readonly kind: 'cast'; readonly type: SqlType; readonly arg: PredicateNode }
  | { readonly kind: 'and' | 'or'; readonly args: readonly PredicateNode[] }
  | { readonly kind: 'not'; readonly arg: PredicateNode }
  | { readonly kind: 'isnull'; readonly arg: PredicateNode; readonly negate: boolean }
  | { readonly kind: 'booltest'; readonly arg: PredicateNode; readonly test: 'true' | 'false' | 'unknown'; readonly negate: boolean };

/** Does storage's key of `idx` hold every row (so a lookup through it finds them all)? Not a partial unique index's. */
export function keyHoldsEveryRow(idx: IndexDef): boolean {
  return idx.predicateTree === undefined;
}

/**
 * A vector index's key expression as the catalog keeps it: the bound expression's tree of
 * casts, immutable function calls and operators over the indexed column, with constants
 * (executor/vector-index-key.ts turns it back into a bound expression).
 */
export type IndexKeyNode =
  | { readonly kind: 'column' }
  /** a constant in its type's text form (NULL: null) */
  | { readonly kind: 'const'; readonly type: SqlType; readonly text: string | null }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly IndexKeyNode[]; readonly argTypes: readonly SqlType[] }
  | { readonly kind: 'cast'; readonly type: SqlType; readonly arg: IndexKeyNode };

/** An expression index's key (see IndexDef.expression). */
export interface IndexExpression {
  readonly tree: IndexKeyNode;
  /** the key's type: vector, halfvec or bit with its dimensions */
  readonly type: SqlType;
  /** the index column's name (pg_attribute), PostgreSQL's: `binary_quantize` */
  readonly name: string;
  /** as pg_get_indexdef prints it, `(binary_quantize(embedding))::bit(3)`; planning matches an ORDER BY operand by it */
  readonly sql: string;
  /** as pg_get_indexdef(oid, 0, true) prints it (psql's \d): `binary_quantize(embedding)::bit(3)` */
  readonly pretty: string;
}

/** `column op value` on an integer or date column (value a JS number). */
export interface IndexCondition {
  readonly column: number;
  readonly op: '=' | '<' | '<=' | '>' | '>=';
  readonly value: number;
}

export interface ConstraintDef {
  readonly oid: number;
  readonly name: string;
  readonly tableOid: number;
  /** p primary key, u unique, c check, f foreign key, n not null */
  readonly type: 'p' | 'u' | 'c' | 'f';
  readonly columns: readonly number[];
  readonly indexOid?: number;
  /** CHECK: the expression's text as pg_get_constraintdef(oid, true) prints it (deparsed from the bound checkAst at DDL time) */
  readonly checkSql?: string;
  /** CHECK: the same without pretty mode (pg_get_constraintdef(oid), pg_dump): every operator parenthesized; absent in catalogs older than it */
  readonly checkPlainSql?: string;
  /** CHECK: the expression's parse tree as plain JSON (src/sql/ binds it against the table's columns at use) */
  readonly checkAst?: unknown;
  /** foreign keys (kept for introspection, not enforced): the referenced table and its 0-based columns */
  readonly refTable?: number;
  readonly refColumns?: readonly number[];
  /** foreign keys: the referenced table's unique index on exactly refColumns (pg_constraint.conindid; pgjdbc's getImportedKeys joins it for PK_NAME) */
  readonly refIndex?: number;
  /** foreign keys: pg_constraint confupdtype / confdeltype (a no action, r restrict, c cascade, n set null, d set default) and confmatchtype (s, f, p); absent = 'a' / 's' */
  readonly onUpdate?: string;
  readonly onDelete?: string;
  readonly match?: string;
  /** COMMENT ON CONSTRAINT */
  comment?: string;
  /** CHECK / FOREIGN KEY added NOT VALID: existing rows not checked yet (pg_constraint.convalidated false) until VALIDATE CONSTRAINT */
  readonly notValid?: true;
}

/** an unqualified name in a view's text (offset into it), qualified by pg_get_viewdef when its schema is not on the search path */
/** A relation a view's query reads and the columns of it the query uses. */
export interface ViewRead {
  readonly oid: number;
  readonly columns: readonly string[];
}

export interface ViewNameRef {
  readonly at: number;
  readonly name: string;
  readonly kind: 'relation' | 'function' | 'type' | 'operator';
  /** a relation's or function's schema as CREATE VIEW resolved the name (views made before schemas: none) */
  readonly schema?: string;
}

/**
 * CREATE POLICY (pg_policy): a row-level security policy of a table. Expressions are kept
 * like CHECK constraints: the parse tree (bound against the table's columns at each use)
 * and the text pg_get_expr prints.
 */
export interface PolicyDef {
  readonly oid: number;
  name: string;
  /** polcmd: '*' ALL, r SELECT, a INSERT, w UPDATE, d DELETE */
  readonly command: '*' | 'r' | 'a' | 'w' | 'd';
  readonly permissive: boolean;
  /** polroles: role OIDs, [0] for PUBLIC */
  roles: number[];
  using: { readonly ast: unknown; readonly sql: string } | null;
  check: { readonly ast: unknown; readonly sql: string } | null;
}

export interface PartitionSpec {
  readonly strategy: 'list' | 'range' | 'hash';
  readonly columns: readonly number[];
}

export interface TableDef extends Securable {
  readonly oid: number;
  readonly name: string;
  readonly schema: string;
  /** r ordinary table, p partitioned table, v view, m materialized view */
  readonly kind: 'r' | 'p' | 'v' | 'm';
  columns: ColumnDef[];
  indexes: IndexDef[];
  constraints: ConstraintDef[];
  readonly rowTypeOid: number;
  partition?: PartitionSpec;
  /** set on a partition: its parent and bound (FOR VALUES … / DEFAULT) */
  partitionOf?: { parent: number; bound: PartitionBound };
  comment?: string;
  /** a view (kind 'v') or materialized view (kind 'm'): its defining SELECT as parser AST (bound again at each use, or at REFRESH) and SQL text */
  view?: {
    readonly ast: unknown; readonly sql: string; readonly names?: readonly ViewNameRef[];
    /**
     * the relations the query reads directly and, per relation, the columns it uses by name
     * (none: the whole row), found by binding it (pg_depend's per-column rows, DROP / ALTER
     * COLUMN checks); absent on views stored before it was recorded
     */
    readonly reads?: readonly ViewRead[];
    /**
     * the query as pg_get_viewdef deparses it (sql/ddl/view-deparse.ts; relations between
     * markers the reader's search path resolves), printed again when what it names is
     * renamed; valid while the view's columns keep the names it had then. (Older catalogs:
     * one relation `relation`, its schema and names as they were.)
     */
    readonly deparsed?: {
      readonly pretty: string; readonly plain: string; readonly viewColumns: readonly string[];
      /** pretty, its line breaks left to pg_get_viewdef(v, wrap) (qualify.ts resolveWrapMarkers) */
      readonly wrapped?: string;
      readonly schema?: string; readonly relation?: number; readonly names?: readonly string[];
    };
  };
  /** a materialized view created or refreshed WITH NO DATA (relispopulated false): reading it is an error until a REFRESH */
  unpopulated?: boolean;
  /** the last ANALYZE's result (pg_stats, pg_stat_user_tables) */
  stats?: TableStatistics;
  /**
   * The rows the last VACUUM found in sealed segments without a tombstone: their visibility
   * needs no row store (PostgreSQL's all-visible pages, the Index Only Scan's allvisfrac:
   * planner/index-only.ts); an ANALYZE lowers it to the rows still so, never raises it
   */
  allVisibleRows?: number;
  /**
   * pg_class.relpages / reltuples as the last VACUUM, ANALYZE or CREATE INDEX left them,
   * with its B-tree indexes' (engine/relation-size.ts); absent: none of them has run on rows
   * (PostgreSQL's reltuples -1)
   */
  relStats?: RelationSize;
  /** ALTER TABLE ENABLE / FORCE ROW LEVEL SECURITY (relrowsecurity, relforcerowsecurity) */
  rowSecurity?: boolean;
  forceRowSecurity?: boolean;
  /** CREATE POLICY, in pg_policy's order (an ALTER moves a policy to the end, as a heap update does) */
  policies?: PolicyDef[];
  /** a temporary table's ON COMMIT DELETE ROWS / DROP (absent: PRESERVE ROWS) */
  onCommit?: 'deleteRows' | 'drop';
}

/** A relation whose rows live in storage: a plain table or a materialized view (a partitioned table's are its partitions'). */
export function storesRows(t: Pick<TableDef, 'kind'>): boolean {
  return t.kind === 'r' || t.kind === 'm';
}

/** One column's statistics, as pg_statistic / pg_stats hold them (values in text form). */
export interface ColumnStatistics {
  readonly nullFrac: number;
  readonly avgWidth: number;
  /** > 0: a count; < 0: minus a fraction of the rows */
  readonly nDistinct: number;
  /** most common first */
  readonly mostCommonVals: string[] | null;
  readonly mostCommonFreqs: number[] | null;
  readonly histogramBounds: string[] | null;
  readonly correlation: number | null;
  /** an array column's element statistics (planner/array-statistics.ts) */
  readonly mostCommonElems?: string[] | null;
  readonly mostCommonElemFreqs?: number[] | null;
  readonly elemCountHistogram?: number[] | null;
}

/** A relation's pg_class.relpages and reltuples as last recorded. */
export interface RelationPages {
  readonly pages: number;
  readonly tuples: number;
}

/** A table's recorded size, and its B-tree indexes' by index OID. */
export interface RelationSize extends RelationPages {
  readonly indexes?: Readonly<Record<number, RelationPages>>;
}

/**
 * The table's pg_class.relpages / reltuples as last recorded (TableDef.relStats); a table
 * analyzed before they were kept: its ANALYZE's. Undefined: never recorded (reltuples -1).
 */
export function recordedSize(table: TableDef): RelationSize | undefined {
  if (table.relStats) return table.relStats;
  return table.stats && table.stats.relpages !== undefined ? { pages: table.stats.relpages, tuples: table.stats.reltuples } : undefined;
}

/** What ANALYZE found: row count, when, and per column (by name) PostgreSQL's pg_statistic fields. */
export interface TableStatistics {
  readonly reltuples: number;
  /** the heap pages PostgreSQL would fill with the rows ANALYZE saw (engine/heap-layout.ts; absent: analyzed before it was kept) */
  readonly relpages?: number;
  /** the last ANALYZE and the last auto-analyze, microseconds since 1970 (null: never) */
  readonly analyzedAt: number | null;
  readonly analyzeCount: number;
  readonly autoAnalyzedAt?: number | null;
  readonly autoAnalyzeCount?: number;
  readonly columns: Readonly<Record<string, ColumnStatistics>>;
  /** expression indexes' columns, by index name (PostgreSQL keeps them under the index: pg_stats' tablename is its name) */
  readonly indexes?: Readonly<Record<string, ColumnStatistics>>;
}

export interface SequenceDef extends Securable {
  readonly oid: number;
  readonly name: string;
  readonly schema: string;
  readonly type: SqlType;
  start: bigint;
  increment: bigint;
  min: bigint;
  max: bigint;
  cycle: boolean;
  /** CACHE n: recorded (pg_sequence.seqcache) — values are handed out one at a time, as with CACHE 1 */
  cache?: bigint;
  /** last value handed out; isCalled false means nextval returns `last` itself */
  last: bigint;
  isCalled: boolean;
  ownedBy?: { table: number; column: number };
  /** COMMENT ON SEQUENCE */
  comment?: string;
}

/** CREATE TYPE … AS ENUM: a pg_type row of typtype 'e', its array type and its pg_enum rows. */
export interface EnumTypeDef extends Securable {
  readonly oid: number;
  readonly arrayOid: number;
  name: string;
  schema: string;
  /** pg_enum rows, in creation order (the order is enumsortorder's); none for a composite type */
  labels: EnumLabel[];
  /** CREATE TYPE … AS (…): a composite type (typtype 'c'), its attributes in order */
  attributes?: { name: string; type: SqlType }[];
  /** a composite type's pg_class row (relkind 'c') */
  relid?: number;
  /** COMMENT ON TYPE */
  comment?: string;
}

/** A CHECK constraint of a domain (a pg_constraint row with contypid): VALUE is its one column. */
export interface DomainConstraintDef {
  readonly oid: number;
  name: string;
  /** the expression's parse tree as plain JSON (src/sql/ binds it with VALUE as a column at each use) */
  readonly checkAst: unknown;
  /** pg_get_constraintdef(oid, true)'s text and the one without pretty mode */
  readonly checkSql: string;
  readonly checkPlainSql: string;
  /** ADD CONSTRAINT … NOT VALID: existing column values not checked yet (convalidated false) */
  notValid?: true;
  /** COMMENT ON CONSTRAINT … ON DOMAIN */
  comment?: string;
}

/** CREATE DOMAIN: a pg_type row of typtype 'd', its array type and its CHECK constraints. */
export interface DomainTypeDef extends Securable {
  readonly oid: number;
  readonly arrayOid: number;
  name: string;
  schema: string;
  /** typbasetype and typtypmod: the base type (a domain's type for a domain over a domain) */
  readonly base: SqlType;
  /** typnotnull */
  notNull: boolean;
  /** DEFAULT: its parse tree and its text (typdefault) */
  default: { ast: unknown; sql: string } | null;
  /** CHECK constraints, in the order they were added */
  constraints: DomainConstraintDef[];
  /** COLLATE c (typcollation's name) */
  readonly collation?: string;
  /** COMMENT ON DOMAIN */
  comment?: string;
}

export interface ExtensionDef {
  readonly oid: number;
  readonly name: string;
  readonly version: string;
}

/** OIDs are unique across all databases of a server (storage keys tables by OID). */
export class OidAllocator {
  next = FIRST_USER_OID;
  allocate(): number {
    return this.next++;
  }
}

/** One database's catalog. */
export class Catalog {
  constructor(readonly name: string = 'postgres', private readonly oids: OidAllocator = new OidAllocator()) {}

  readonly tables = new Map<number, TableDef>();
  readonly sequences = new Map<number, SequenceDef>();
  readonly extensions = new Map<string, ExtensionDef>();
  /** CREATE FUNCTION … LANGUAGE sql */
  readonly functions = new Map<number, SqlFunctionDef>();
  /** CREATE TYPE … AS ENUM */
  readonly types = new Map<number, EnumTypeDef>();
  /** CREATE DOMAIN */
  readonly domains = new Map<number, DomainTypeDef>();
  /** bumped on every DDL so prepared plans can tell they are stale */
  version = 0;
  /** bumped when ANALYZE or VACUUM sets a table's statistics (stats, allVisibleRows), which plans are costed with */
  statsVersion = 0;
  /** the public schema's owner and ACL (PostgreSQL 15: pg_database_owner=UC, PUBLIC=U) */
  publicSchema: Securable = defaultPublicSchema();
  /** ALTER DEFAULT PRIVILEGES (pg_default_acl) */
  defaultAcls: DefaultAclDef[] = [];
  /** GRANT / REVOKE EXECUTE on built-in functions (pg_proc.proacl), by the function's OID; absent: PUBLIC may execute */
  readonly procAcls = new Map<number, BuiltinAclDef>();
  /** GRANT / REVOKE USAGE on built-in types (pg_type.typacl), by the type's OID; absent: PUBLIC may use it */
  readonly typeAcls = new Map<number, BuiltinAclDef>();

  /** A built-in function's ACL now: as GRANT / REVOKE left it, else its default (builtinProcDefaultAcl). */
  builtinProcAcl(oid: number): Securable {
    return this.procAcls.get(oid) ?? { acl: builtinProcDefaultAcl(oid) };
  }

  /** A built-in function's or type's owner (the bootstrap superuser) and ACL, kept once GRANT / REVOKE changes it. */
  builtinSecurable(kind: 'proc' | 'type', oid: number): BuiltinAclDef {
    const map = kind === 'proc' ? this.procAcls : this.typeAcls;
    let def = map.get(oid);
    if (!def) map.set(oid, def = { oid, acl: kind === 'proc' ? builtinProcDefaultAcl(oid) : null });
    return def;
  }

  /** CREATE SCHEMA's schemas by name (public and the system schemas are not in it) */
  readonly schemas = new Map<string, SchemaDef>();

  /** GRANT … ON SCHEMA: the schemas that have privileges (public and CREATE SCHEMA's) */
  schemaPrivileges(name: string): Securable | undefined {
    return name === 'public' ? this.publicSchema : this.schemas.get(name);
  }

  /**
   * The backends' temporary schemas made in this database (pg_temp_N and pg_toast_temp_N),
   * as PostgreSQL's InitTempTableNamespace makes them at a session's first temporary object.
   * Kept while the server runs (emptied at session end, reused by the next backend with that
   * number), never in the durable image: a restart starts without them.
   */
  readonly tempSchemas = new Map<string, SchemaDef>();

  /** pg_temp_N (and pg_toast_temp_N) of backend number `n`, made if new; its name */
  tempSchema(n: number): string {
    const name = `pg_temp_${n}`;
    if (!this.tempSchemas.has(name)) {
      // owned by the bootstrap superuser with no ACL, as in PostgreSQL
      this.tempSchemas.set(name, { oid: this.allocateOid(), name, owner: 10, acl: null });
      this.tempSchemas.set(`pg_toast_temp_${n}`, { oid: this.allocateOid(), name: `pg_toast_temp_${n}`, owner: 10, acl: null });
    }
    return name;
  }

  /** Does a schema of this name exist (built-in or created)? */
  schemaExists(name: string): boolean {
    return BUILTIN_SCHEMA_OIDS[name] !== undefined || this.schemas.has(name) || this.tempSchemas.has(name);
  }

  /** pg_namespace.oid of a schema (undefined: no such schema) */
  namespaceOid(name: string): number | undefined {
    return BUILTIN_SCHEMA_OIDS[name] ?? this.schemas.get(name)?.oid ?? this.tempSchemas.get(name)?.oid;
  }

  /** the schema of a pg_namespace OID */
  namespaceName(oid: number): string | undefined {
    for (const [name, o] of Object.entries(BUILTIN_SCHEMA_OIDS)) if (o === oid) return name;
    for (const s of this.schemas.values()) if (s.oid === oid) return s.name;
    for (const s of this.tempSchemas.values()) if (s.oid === oid) return s.name;
    return undefined;
  }

  /** This database's catalog as the durable image keeps it: temporary objects left out (they end with their session). */
  durableData(data: CatalogData = this.toData()): CatalogData {
    const temp = (schema: string) => isTempSchema(schema);
    if (!data.tables.some((t) => temp(t.schema)) && !data.sequences.some((s) => temp(s.schema)) && !(data.functions ?? []).some((f) => temp(f.schema))) return data;
    return {
      ...data,
      tables: data.tables.filter((t) => !temp(t.schema)),
      sequences: data.sequences.filter((s) => !temp(s.schema)),
      functions: (data.functions ?? []).filter((f) => !temp(f.schema)),
    };
  }

  allocateOid(): number {
    return this.oids.allocate();
  }

  findTable(schema: string | undefined, name: string): TableDef | undefined {
    for (const t of this.tables.values()) {
      if (t.name === name && (schema === undefined || t.schema === schema)) return t;
    }
    return undefined;
  }

  findType(schema: string | undefined, name: string): EnumTypeDef | undefined {
    for (const t of this.types.values()) if (t.name === name && (schema === undefined || t.schema === schema)) return t;
    return undefined;
  }

  /** A new enum, or one CREATE / ALTER TYPE changed: the lower layers see its labels from now on. */
  putType(def: EnumTypeDef): void {
    this.types.set(def.oid, def);
    if (def.attributes) registerComposite({ oid: def.oid, arrayOid: def.arrayOid, relid: def.relid ?? 0, database: this.name, schema: def.schema, name: def.name, fields: def.attributes });
    else registerEnum({ ...def, database: this.name });
    this.version++;
  }

  dropType(oid: number): void {
    this.types.delete(oid);
    unregisterType(oid);
    this.version++;
  }

  findDomain(schema: string | undefined, name: string): DomainTypeDef | undefined {
    for (const d of this.domains.values()) if (d.name === name && (schema === undefined || d.schema === schema)) return d;
    return undefined;
  }

  /** A new domain, or one ALTER DOMAIN changed: names and types resolve to it from now on. */
  putDomain(def: DomainTypeDef): void {
    this.domains.set(def.oid, def);
    registerDomain({ oid: def.oid, arrayOid: def.arrayOid, database: this.name, schema: def.schema, name: def.name, base: def.base });
    this.version++;
  }

  dropDomain(oid: number): void {
    this.domains.delete(oid);
    unregisterDomain(oid);
    this.version++;
  }

  findSequence(schema: string | undefined, name: string): SequenceDef | undefined {
    for (const s of this.sequences.values()) {
      if (s.name === name && (schema === undefined || s.schema === schema)) return s;
    }
    return undefined;
  }

  /** An index by OID, on any table. */
  indexByOid(oid: number): IndexDef | undefined {
    for (const t of this.tables.values()) {
      const i = t.indexes.find((x) => x.oid === oid);
      if (i) return i;
    }
    return undefined;
  }

  /** The name of a user table, sequence or index by OID (regclass output). */
  relationNameOf(oid: number): string | undefined {
    return this.relationOf(oid)?.name;
  }

  /** A user table's, sequence's or index's schema and name by OID. */
  relationOf(oid: number): { schema: string; name: string } | undefined {
    const rel = this.tables.get(oid) ?? this.sequences.get(oid);
    if (rel) return rel;
    const i = this.indexByOid(oid);
    const t = i && this.tables.get(i.tableOid);
    return i && t ? { schema: t.schema, name: i.name } : undefined;
  }

  findIndex(schema: string | undefined, name: string): IndexDef | undefined {
    for (const t of this.tables.values()) {
      if (schema !== undefined && t.schema !== schema) continue;
      const idx = t.indexes.find((i) => i.name === name);
      if (idx) return idx;
    }
    return undefined;
  }

  relationNameTaken(schema: string, name: string): boolean {
    return this.findTable(schema, name) !== undefined || this.findSequence(schema, name) !== undefined || this.findIndex(schema, name) !== undefined
      // a composite type's pg_class row (relkind 'c') takes the name too
      || [...this.types.values()].some((t) => t.attributes !== undefined && t.schema === schema && t.name === name);
  }

  addTable(def: TableDef): void {
    if (this.relationNameTaken(def.schema, def.name)) {
      throw new SqlError(SqlState.duplicateTable, `relation "${def.name}" already exists`);
    }
    this.tables.set(def.oid, def);
    this.version++;
  }

  dropTable(oid: number): void {
    this.tables.delete(oid);
    // partitions go with their parent
    for (const t of [...this.tables.values()]) if (t.partitionOf?.parent === oid) this.dropTable(t.oid);
    for (const [soid, s] of this.sequences) if (s.ownedBy?.table === oid) this.sequences.delete(soid);
    this.version++;
  }

  addSequence(def: SequenceDef): void {
    if (this.relationNameTaken(def.schema, def.name)) {
      throw new SqlError(SqlState.duplicateTable, `relation "${def.name}" already exists`);
    }
    this.sequences.set(def.oid, def);
    this.version++;
  }

  /** A name for an implicit object, PostgreSQL style: items_id_seq, items_pkey, items_v_key1 … */
  uniqueRelationName(schema: string, base: string, suffix: string): string {
    const name = `${base}_${suffix}`;
    if (!this.relationNameTaken(schema, name)) return name;
    for (let i = 1; ; i++) {
      const n = `${base}_${suffix}${i}`;
      if (!this.relationNameTaken(schema, n)) return n;
    }
  }

  /** per sequence OID: values nextval may still hand out before it must log again */
  private readonly unloggedValues = new Map<number, number>();

  /** The catalog image was just saved with every sequence's state: the next nextval of each logs afresh. */
  forgetSequenceLogs(): void {
    this.unloggedValues.clear();
  }

  /** This database's catalog as plain data (see serializeDatabases). */
  toData(): CatalogData {
    return { tables: [...this.tables.values()], sequences: [...this.sequences.values()], extensions: [...this.extensions.values()], functions: [...this.functions.values()], types: [...this.types.values()], domains: [...this.domains.values()], publicSchema: this.publicSchema, defaultAcls: this.defaultAcls, schemas: [...this.schemas.values()],
      procAcls: [...this.procAcls.values()].filter((d) => d.acl), typeAcls: [...this.typeAcls.values()].filter((d) => d.acl) };
  }

  /** A deep copy of the contents (to undo DDL of a rolled-back transaction). */
  snapshotData(): CatalogData {
    const text = JSON.stringify(this.toData(), (_k, v) => (typeof v === 'bigint' ? { $bigint: v.toString() } : v));
    return JSON.parse(text, (_k, v) => (v && typeof v === 'object' && typeof v.$bigint === 'string' ? BigInt(v.$bigint) : v));
  }

  /** Replace the contents with data from toData(). */
  loadData(data: CatalogData): void {
    this.tables.clear();
    this.sequences.clear();
    this.extensions.clear();
    this.functions.clear();
    this.schemas.clear();
    this.types.clear();
    unregisterDatabaseTypes(this.name);
    for (const t of data.types ?? []) this.putType(t);
    this.domains.clear();
    unregisterDatabaseDomains(this.name);
    for (const d of data.domains ?? []) this.putDomain(d);
    for (const n of data.schemas ?? []) this.schemas.set(n.name, n);
    for (const f of data.functions ?? []) this.functions.set(f.oid, f);
    for (const t of data.tables) this.tables.set(t.oid, t);
    for (const s of data.sequences) this.sequences.set(s.oid, s);
    for (const e of data.extensions) this.extensions.set(e.name, e);
    this.publicSchema = data.publicSchema ?? defaultPublicSchema();
    this.defaultAcls = data.defaultAcls ?? [];
    this.procAcls.clear();
    this.typeAcls.clear();
    for (const d of data.procAcls ?? []) this.procAcls.set(d.oid, d);
    for (const d of data.typeAcls ?? []) this.typeAcls.set(d.oid, d);
    this.version++;
  }

  /**
   * The next value of a sequence. Like PostgreSQL (nextval_internal), it is not logged one
   * by one: when the values covered by the last log record are used up, `log` records the
   * state SEQ_LOG_VALS values ahead, so a restart after a crash resumes after every value
   * handed out (skipping at most SEQ_LOG_VALS unused ones, as PostgreSQL does).
   */
  nextval(seq: SequenceDef, log: SequenceLogger): bigint {
    const { value: v, wrapped } = advanceSequence(seq);
    // after a cycle restarts, the last record (which stopped at the bound) covers nothing
    const left = wrapped ? 0 : this.unloggedValues.get(seq.oid) ?? 0;
    if (left > 0) {
      this.unloggedValues.set(seq.oid, left - 1);
      return v;
    }
    log(seq, { last: valueAhead(seq, v, SEQ_LOG_VALS), isCalled: true });
    this.unloggedValues.set(seq.oid, SEQ_LOG_VALS);
    return v;
  }

  /** setval: the new state is logged as it is (the next nextval logs ahead again). */
  setval(seq: SequenceDef, value: bigint, isCalled: boolean, log: SequenceLogger): void {
    seq.last = value;
    seq.isCalled = isCalled;
    this.unloggedValues.delete(seq.oid);
    log(seq, { last: value, isCalled });
  }

  /** After a restart: resume a sequence from its logged state (newer than the catalog image). */
  restoreSequence(oid: number, state: { readonly last: bigint; readonly isCalled: boolean }): void {
    const seq = this.sequences.get(oid);
    if (!seq) return; // created by a transaction that never committed
    seq.last = state.last;
    seq.isCalled = state.isCalled;
  }
}

/** PostgreSQL's SEQ_LOG_VALS: how far ahead of the value handed out a sequence is logged. */
export const SEQ_LOG_VALS = 32;

/** Receives a sequence state to make durable before any commit that uses its values. */
export type SequenceLogger = (seq: SequenceDef, state: { readonly last: bigint; readonly isCalled: boolean }) => void;

/** `steps` values past `v`, stopping at the sequence's bound (a cycle restarts from there). */
function valueAhead(seq: SequenceDef, v: bigint, steps: number): bigint {
  const ahead = v + seq.increment * BigInt(steps);
  if (ahead > seq.max) return seq.max;
  if (ahead < seq.min) return seq.min;
  return ahead;
}

/** Hand out the next value (updating the sequence); `wrapped` when a cycle restarted. */
function advanceSequence(seq: SequenceDef): { value: bigint; wrapped: boolean } {
  if (!seq.isCalled) {
    seq.isCalled = true;
    return { value: seq.last, wrapped: false };
  }
  let v = seq.last + seq.increment;
  let wrapped = false;
  if (v > seq.max || v < seq.min) {
    if (!seq.cycle) {
      const bound = seq.increment > 0n ? 'maximum' : 'minimum';
      throw new SqlError('2200H', `nextval: reached ${bound} value of sequence "${seq.name}" (${seq.increment > 0n ? seq.max : seq.min})`);
    }
    v = seq.increment > 0n ? seq.min : seq.max;
    wrapped = true;
  }
  seq.last = v;
  return { value: v, wrapped };
}

export interface CatalogData {
  tables: TableDef[];
  sequences: SequenceDef[];
  extensions: ExtensionDef[];
  functions?: SqlFunctionDef[];
  /** CREATE TYPE … AS ENUM (absent in older images) */
  types?: EnumTypeDef[];
  /** CREATE DOMAIN (absent in older images) */
  domains?: DomainTypeDef[];
  publicSchema?: Securable;
  defaultAcls?: DefaultAclDef[];
  /** CREATE SCHEMA's schemas (images written before schemas existed have none) */
  schemas?: SchemaDef[];
  /** ACLs of built-in functions and types that GRANT / REVOKE changed (absent in older images) */
  procAcls?: BuiltinAclDef[];
  typeAcls?: BuiltinAclDef[];
}

/**
 * The privileges of one built-in function (pg_proc) or type (pg_type): owned by the bootstrap
 * superuser; `acl` null until GRANT / REVOKE first changes it (acldefault: PUBLIC may use it).
 */
export interface BuiltinAclDef {
  readonly oid: number;
  acl: AclItem[] | null;
}

/**
 * One pg_default_acl row (ALTER DEFAULT PRIVILEGES): the privileges objects of `objtype`
 * (r tables, S sequences, f functions, n schemas) created by `role` get — in `schema`
 * only, added to the defaults, or ('' ) everywhere, replacing the built-in default.
 */
export interface DefaultAclDef {
  readonly oid: number;
  readonly role: number;
  readonly schema: string;
  readonly objtype: 'r' | 'S' | 'f' | 'n' | 'T';
  acl: AclItem[];
}

/** pg_database_owner (OID 6171) owns public and may use and create in it; PUBLIC may use it */
function defaultPublicSchema(): Securable {
  return { owner: 6171, acl: [{ grantee: 6171, grantor: 6171, privs: 'UC', grantable: '' }, { grantee: 0, grantor: 6171, privs: 'U', grantable: '' }] };
}

/** A SQL-language function (CREATE FUNCTION … LANGUAGE sql): its body is bound at each call site. */
export interface SqlFunctionDef {
  readonly oid: number;
  readonly name: string;
  readonly schema: string;
  /** defaultSql: the DEFAULT's text (functions created before it was kept have none) */
  readonly params: readonly { name?: string; type: SqlType; defaultAst?: unknown; defaultSql?: string }[];
  readonly returns:
    | { readonly kind: 'scalar'; readonly type: SqlType }
    | { readonly kind: 'setof'; readonly type: SqlType }
    | { readonly kind: 'table'; readonly columns: readonly { name: string; type: SqlType }[] };
  /** the body: the statements' text (AS '…') or, for RETURN expr / BEGIN ATOMIC, the parse tree */
  readonly body: { readonly sql?: string; readonly ast?: unknown };
  readonly volatility: 'i' | 's' | 'v';
  /** COMMENT ON FUNCTION */
  comment?: string;
  /** proowner (absent: the bootstrap superuser) and proacl (absent or null: acldefault, PUBLIC may EXECUTE) */
  owner?: number;
  acl?: AclItem[] | null;
}

/**
 * Built-in functions PostgreSQL's system_functions.sql revokes EXECUTE on from PUBLIC: only
 * the bootstrap superuser (and superusers) may call them until a GRANT.
 */
const OWNER_ONLY_PROCS: ReadonlySet<number> = new Set([3436 /* pg_promote */]);

/** A built-in function's proacl before any GRANT / REVOKE (null: acldefault, PUBLIC may execute). */
export function builtinProcDefaultAcl(oid: number): AclItem[] | null {
  return OWNER_ONLY_PROCS.has(oid) ? [{ grantee: BOOTSTRAP_ROLE, grantor: BOOTSTRAP_ROLE, privs: 'X', grantable: '' }] : null;
}

/** Every database's catalog as one JSON image (bigints as {$bigint}), for the storage layer to keep durably. */
export function serializeDatabases(oids: OidAllocator, databases: ReadonlyMap<string, Catalog>, dataOf: (c: Catalog) => CatalogData = (c) => c.toData(), roles?: RolesData): string {
  const data = { format: 2, nextOid: oids.next, databases: Object.fromEntries([...databases].map(([n, c]) => [n, dataOf(c)])), roles };
  return JSON.stringify(data, (_k, v) => (typeof v === 'bigint' ? { $bigint: v.toString() } : v));
}

export function parseDatabases(image: string): { nextOid: number; databases: Record<string, CatalogData>; roles?: RolesData } {
  const data = JSON.parse(image, (_k, v) => (v && typeof v === 'object' && typeof v.$bigint === 'string' ? BigInt(v.$bigint) : v));
  if (data.format !== 2) throw new Error(`unsupported catalog image format ${data.format}`);
  return data;
}

/** A relation that is computed from catalog state rather than stored (pg_class, …). */
export interface SystemRelation {
  readonly oid: number;
  readonly schema: 'pg_catalog' | 'information_schema';
  readonly name: string;
  readonly columns: readonly { name: string; type: SqlType }[];
  rows(ctx: SystemRelationContext): Row[];
}

/** One session as pg_stat_activity shows it (timestamps in microseconds since 1970). */
export interface BackendActivity {
  readonly pid: number;
  readonly database: string;
  readonly user: string;
  readonly applicationName: string;
  readonly clientAddress: string;
  readonly clientPort: number | undefined;
  readonly backendStart: number;
  readonly xactStart: number | null;
  readonly queryStart: number | null;
  readonly stateChange: number;
  readonly waitEventType: string | null;
  readonly waitEvent: string | null;
  readonly state: 'active' | 'idle' | 'idle in transaction' | 'idle in transaction (aborted)';
  readonly query: string;
}

/**
 * A CREATE INDEX or REINDEX running in a session, as pg_stat_progress_create_index shows it.
 * Quiver's builds have no blocks and wait for no lockers: those columns stay 0.
 */
export interface CreateIndexProgress {
  readonly pid: number;
  readonly database: string;
  /** the table the index is built on, and the index */
  readonly relid: number;
  readonly indexRelid: number;
  readonly command: 'CREATE INDEX' | 'CREATE INDEX CONCURRENTLY' | 'REINDEX' | 'REINDEX CONCURRENTLY';
  /** PostgreSQL's phase text, with the access method's subphase ('building index: loading tuples') */
  readonly phase: string;
  readonly tuplesTotal: number;
  readonly tuplesDone: number;
  /** a partitioned table: its partitions, and those built so far */
  readonly partitionsTotal: number;
  readonly partitionsDone: number;
}

/** One line of the --hba file as pg_hba_file_rules shows it (null fields where the line has an error). */
export interface HbaFileRule {
  readonly lineNumber: number;
  readonly type: string | null;
  readonly database: readonly string[] | null;
  readonly userName: readonly string[] | null;
  readonly address: string | null;
  readonly netmask: string | null;
  readonly authMethod: string | null;
  readonly options: readonly string[] | null;
  readonly error: string | null;
}

/** One row of pg_settings (the engine fills it from its settings and PostgreSQL's descriptions) */
export interface SettingRow {
  readonly name: string;
  readonly setting: string;
  readonly unit: string | null;
  readonly category: string;
  readonly shortDesc: string;
  readonly extraDesc: string | null;
  readonly context: string;
  readonly vartype: string;
  readonly source: string;
  readonly minVal: string | null;
  readonly maxVal: string | null;
  readonly enumvals: readonly string[] | null;
  readonly bootVal: string | null;
  readonly resetVal: string;
}

export interface SystemRelationContext {
  readonly catalog: Catalog;
  readonly databases: readonly string[];
  setting(name: string): string | undefined;
  /** pg_settings' rows: every listed setting with its session value */
  allSettings(): SettingRow[];
  readonly user: string;
  readonly database: string;
  /** the session's temporary schema (pg_temp_N), once it has one */
  readonly myTempSchema?: string;
  /** the cluster's roles (pg_roles, pg_authid, relacl's names) and the session's role OID */
  readonly roles?: Roles;
  readonly roleOid?: number;
  rowCount(tableOid: number): number;
  /**
   * pg_class.relpages / relallvisible of an analyzed or vacuumed table, as the planner
   * counts its pages (planner/cost.ts; undefined: never analyzed nor vacuumed, 0 and 0)
   */
  relationPages?(table: TableDef): { readonly pages: number; readonly allVisible: number } | undefined;
  /** the session's open SQL cursors (pg_cursors) */
  cursors?(): readonly { name: string; statement: string; holdable: boolean; binary: boolean; scrollable: boolean; created: number }[];
  /** the session's SQL-prepared statements (pg_prepared_statements) */
  preparedStatements?(): readonly { name: string; statement: string; prepared: number; paramTypes: readonly number[]; fromSql: boolean }[];
  /** every session's activity (pg_stat_activity) */
  activity?(): readonly BackendActivity[];
  /** the advisory locks held and awaited (pg_locks) */
  locks?(): readonly LockRow[];
  /** the transactions prepared and not finished (pg_prepared_xacts; preparedAt in µs since 1970) */
  preparedXacts?(): readonly { id: number; gid: string; preparedAt: number; owner: number; database: string }[];
  /** the index builds running in any session (pg_stat_progress_create_index) */
  createIndexProgress?(): readonly CreateIndexProgress[];
  /** the --hba file, line by line (pg_hba_file_rules; empty without --hba) */
  hbaFileRules?(): readonly HbaFileRule[];
  /** a hot standby's recovery conflicts on relation locks so far, per database (pg_stat_database_conflicts.confl_lock) */
  recoveryConflicts?(): ReadonlyMap<string, number>;
}
