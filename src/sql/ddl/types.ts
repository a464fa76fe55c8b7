/**
 * DDL statements as the engine receives them: kind-tagged nodes with plain typed fields,
 * made from the parser's tree by bind-ddl.ts. Names are as written (resolved against the
 * catalog by the engine); types are resolved; expressions are DdlExpr (parsed-expr.ts).
 */
import type { SqlError } from '../../errors.js';
import type { RoleRef } from '../bind-role.js';
import type { SqlFunctionDef, ViewNameRef } from '../../catalog/catalog.js';
import type { SqlType } from '../../types/types.js';
import type { DdlExpr, ParsedExpr } from './parsed-expr.js';

export interface QualifiedName {
  readonly schema?: string;
  readonly name: string;
}

/** A column's type, or the error naming it would raise (reported where PostgreSQL reports it). */
export type TypeRef = { readonly type: SqlType; readonly serial: boolean } | { readonly error: SqlError };

export interface ForeignKeySpec {
  readonly name?: string;
  readonly columns: readonly string[];
  readonly refTable: QualifiedName;
  /** empty: the referenced table's primary key */
  readonly refColumns: readonly string[];
  /** pg_constraint letters: confupdtype / confdeltype, confmatchtype */
  readonly onUpdate: string;
  readonly onDelete: string;
  readonly match: string;
  /** NOT VALID */
  readonly skipValidation: boolean;
}

export type KeyKind = 'primaryKey' | 'unique';

/** A constraint written on a column (REFERENCES, CHECK and keys name that column). */
export type ColumnConstraint =
  | { readonly kind: 'notNull' | 'null' }
  | { readonly kind: 'default'; readonly expr: DdlExpr }
  | { readonly kind: KeyKind; readonly name?: string; readonly position?: number; /** UNIQUE NULLS NOT DISTINCT */ readonly nullsNotDistinct?: true }
  | { readonly kind: 'identity'; readonly always: boolean; readonly options: SequenceOptions }
  | { readonly kind: 'generated'; readonly expr: DdlExpr; readonly position?: number }
  | { readonly kind: 'foreignKey'; readonly fk: ForeignKeySpec }
  | { readonly kind: 'check'; readonly name?: string; readonly expr: DdlExpr; readonly skipValidation: boolean }
  | { readonly kind: 'unsupported'; readonly contype: string; readonly position?: number };

export interface ColumnSpec {
  readonly name: string;
  readonly type: TypeRef;
  readonly constraints: readonly ColumnConstraint[];
}

export type TableConstraint =
  | { readonly kind: KeyKind; readonly name?: string; readonly columns: readonly string[]; readonly position?: number; /** INCLUDE (c, …) */ readonly include?: readonly string[]; /** UNIQUE NULLS NOT DISTINCT */ readonly nullsNotDistinct?: true }
  | { readonly kind: 'foreignKey'; readonly fk: ForeignKeySpec }
  | { readonly kind: 'check'; readonly name?: string; readonly expr: DdlExpr; readonly skipValidation: boolean }
  | { readonly kind: 'unsupported'; readonly contype: string; readonly position?: number };

export type TableElement =
  | { readonly kind: 'column'; readonly column: ColumnSpec }
  | { readonly kind: 'constraint'; readonly constraint: TableConstraint }
  /** LIKE and other elements Quiver does not support */
  | { readonly kind: 'unsupported' };

/** One datum of FOR VALUES: a constant's text (typed by the partition key), MINVALUE/MAXVALUE, or what is not allowed there. */
export type BoundDatumSpec =
  | { readonly kind: 'value'; readonly text: string | null; readonly position?: number }
  | { readonly kind: 'minvalue' | 'maxvalue' }
  | { readonly kind: 'columnRef' | 'notConstant'; readonly position?: number };

export type PartitionBoundSpec = { readonly position?: number } & (
  | { readonly kind: 'default' }
  | { readonly kind: 'list'; readonly values: readonly BoundDatumSpec[] }
  | { readonly kind: 'range'; readonly from: readonly BoundDatumSpec[]; readonly to: readonly BoundDatumSpec[] }
  | { readonly kind: 'hash'; readonly modulus: number; readonly remainder: number }
);

export interface PartitionKeySpec {
  readonly strategy: 'list' | 'range' | 'hash';
  /** column names; undefined for an expression key (not supported) */
  readonly keys: readonly { readonly column?: string; readonly position?: number }[];
}

/** a temporary table's ON COMMIT action */
export type OnCommit = 'preserveRows' | 'deleteRows' | 'drop';

export interface CreateTable {
  readonly kind: 'createTable';
  readonly relation: QualifiedName;
  /** CREATE TEMP TABLE (in the session's pg_temp_N; needs TEMPORARY on the database) */
  readonly temporary?: boolean;
  /** ON COMMIT PRESERVE ROWS | DELETE ROWS | DROP (absent: not written) */
  readonly onCommit?: OnCommit;
  /** where the name is in the statement (errors about the new relation point there) */
  readonly position?: number;
  readonly ifNotExists: boolean;
  readonly elements: readonly TableElement[];
  /** INHERITS (…) without PARTITION OF */
  readonly inherits: boolean;
  readonly partitionBy?: PartitionKeySpec;
  readonly partitionOf?: { readonly parent: QualifiedName; readonly bound: PartitionBoundSpec };
}

export type AlterTableCommand =
  | { readonly kind: 'addColumn'; readonly column: ColumnSpec; readonly ifNotExists: boolean }
  | { readonly kind: 'dropColumn'; readonly column: string; readonly missingOk: boolean; readonly cascade?: boolean }
  | { readonly kind: 'setDefault'; readonly column: string; readonly expr: DdlExpr | null }
  | { readonly kind: 'setNotNull'; readonly column: string }
  | { readonly kind: 'dropNotNull'; readonly column: string }
  | { readonly kind: 'alterType'; readonly column: string; readonly type: TypeRef; readonly using?: DdlExpr }
  | { readonly kind: 'addConstraint'; readonly constraint: TableConstraint }
  | { readonly kind: 'dropConstraint'; readonly name: string; readonly missingOk: boolean }
  | { readonly kind: 'validateConstraint'; readonly name: string }
  /** ALTER COLUMN … SET GENERATED { ALWAYS | BY DEFAULT } / SET sequence option / RESTART [WITH n] */
  | { readonly kind: 'setIdentity'; readonly column: string; readonly always?: boolean; readonly options: SequenceOptions }
  | { readonly kind: 'dropIdentity'; readonly column: string; readonly missingOk: boolean }
  | { readonly kind: 'attachPartition'; readonly child: QualifiedName; readonly bound: PartitionBoundSpec }
  | { readonly kind: 'detachPartition'; readonly child: QualifiedName }
  /** ALTER COLUMN … ADD GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY [(SEQUENCE NAME … START WITH …)] (pg_dump's form) */
  | { readonly kind: 'addIdentity'; readonly column: string; readonly always: boolean; readonly sequenceName?: QualifiedName; readonly options: SequenceOptions }
  /** OWNER TO role */
  | { readonly kind: 'owner'; readonly role: RoleRef }
  /** ENABLE / DISABLE (enable) and FORCE / NO FORCE (force) ROW LEVEL SECURITY */
  | { readonly kind: 'rowSecurity'; readonly enable?: boolean; readonly force?: boolean }
  /** accepted and ignored: SET (…), SET STATISTICS, … */
  | { readonly kind: 'ignored' }
  | { readonly kind: 'unsupported'; readonly subtype: string };

export interface AlterTable {
  readonly kind: 'alterTable';
  /** ALTER TABLE, or the other kind named (ALTER VIEW …: not supported) */
  readonly objectType: string;
  readonly relation: QualifiedName;
  /** ALTER TABLE ONLY: a partitioned table's new key stays on it (its partitions have their own) */
  readonly only: boolean;
  readonly missingOk: boolean;
  readonly commands: readonly AlterTableCommand[];
}

export interface FunctionRef {
  readonly schema?: string;
  readonly name: string;
  /** undefined: no argument list written */
  readonly argTypes?: readonly SqlType[];
}

export type Drop =
  | { readonly kind: 'drop'; readonly objectType: 'function'; readonly functions: readonly FunctionRef[]; readonly missingOk: boolean; readonly cascade: boolean }
  | {
    readonly kind: 'drop';
    /** table, view, index, sequence, extension, schema, type, or the unsupported kind's word */
    readonly objectType: string;
    readonly objects: readonly QualifiedName[];
    readonly missingOk: boolean;
    readonly cascade: boolean;
  };

export type IndexColumnSpec =
  | { readonly kind: 'column'; readonly column: string; readonly opclass?: string }
  /** `(col::type)`: the plain column when the type is the column's own (LangChain writes this) */
  | { readonly kind: 'castColumn'; readonly column: string; readonly type: TypeRef; readonly expr: DdlExpr; readonly opclass?: string }
  | { readonly kind: 'expression'; readonly expr: DdlExpr; readonly opclass?: string };

export interface CreateIndex {
  readonly kind: 'createIndex';
  readonly name?: string;
  readonly table: QualifiedName;
  readonly method: string;
  readonly unique: boolean;
  /** NULLS NOT DISTINCT: NULLs are equal in the key */
  readonly nullsNotDistinct?: true;
  readonly ifNotExists: boolean;
  readonly columns: readonly IndexColumnSpec[];
  readonly options: Readonly<Record<string, string>>;
  /** CREATE INDEX … ON ONLY: on a partitioned table, the partitions' indexes are attached later (ALTER INDEX … ATTACH PARTITION) */
  readonly only: boolean;
  /** WHERE of a partial index (applied to HNSW indexes it can be: see engine/ddl/indexes.ts) */
  readonly where?: DdlExpr;
  /** CREATE INDEX CONCURRENTLY */
  readonly concurrently: boolean;
  /** INCLUDE (c, …): non-key columns by name */
  readonly include?: readonly string[];
}

/** CREATE TABLE … AS, and CREATE MATERIALIZED VIEW (`materialized`: the query it keeps, as CREATE VIEW's) */
export interface CreateTableAs {
  readonly kind: 'createTableAs';
  readonly relation: QualifiedName;
  readonly columns: readonly { name: string; type: SqlType }[];
  readonly ifNotExists: boolean;
  readonly temporary?: boolean;
  readonly onCommit?: OnCommit;
  readonly position?: number;
  readonly materialized?: { readonly query: ParsedExpr; readonly sql: string; readonly names: readonly ViewNameRef[]; readonly populated: boolean };
}

export interface CreateView {
  readonly kind: 'createView';
  readonly relation: QualifiedName;
  readonly replace: boolean;
  readonly aliases: readonly string[];
  /** the defining SELECT as a parsed tree, or undefined when it is not a SELECT */
  readonly query?: ParsedExpr;
  /** the query's text as written (pg_get_viewdef) */
  readonly sql: string;
  /** its unqualified names, which pg_get_viewdef qualifies when their schema is not on the search path */
  readonly names: readonly ViewNameRef[];
  /** CREATE TEMP VIEW */
  readonly temporary?: boolean;
}

export interface SequenceOptions {
  readonly increment?: bigint;
  /** null: NO MINVALUE / NO MAXVALUE (the type's default) */
  readonly minvalue?: bigint | null;
  readonly maxvalue?: bigint | null;
  readonly start?: bigint;
  /** ALTER SEQUENCE RESTART [WITH n]: true restarts at the start value */
  readonly restart?: bigint | true;
  readonly cache?: bigint;
  readonly cycle?: boolean;
  /** AS smallint | integer | bigint */
  readonly type?: SqlType;
  /** OWNED BY table.column (names as written), or null for OWNED BY NONE */
  readonly ownedBy?: readonly string[] | null;
}

export type CommentTarget =
  | { readonly kind: 'table' | 'index'; readonly relation: QualifiedName }
  | { readonly kind: 'column'; readonly relation: QualifiedName; readonly column: string }
  | { readonly kind: 'view' | 'matview' | 'sequence'; readonly relation: QualifiedName }
  | { readonly kind: 'constraint'; readonly relation: QualifiedName; readonly name: string }
  | { readonly kind: 'function'; readonly ref: FunctionRef }
  | { readonly kind: 'schema'; readonly name: string }
  /** COMMENT ON TYPE: kept for an enum (on a built-in type: accepted, not kept) */
  | { readonly kind: 'type'; readonly type: QualifiedName }
  /** comments on other objects are accepted and not kept */
  | { readonly kind: 'other' };

export type RenameTarget = 'table' | 'view' | 'matview' | 'index' | 'column' | 'constraint';

/** polcmd: '*' ALL, r SELECT, a INSERT, w UPDATE, d DELETE */
export type PolicyCommand = '*' | 'r' | 'a' | 'w' | 'd';

export type PolicyDdl =
  | {
    readonly kind: 'createPolicy'; readonly name: string; readonly table: QualifiedName; readonly command: PolicyCommand;
    readonly permissive: boolean; readonly roles: readonly RoleRef[]; readonly using: DdlExpr | null; readonly check: DdlExpr | null;
  }
  /** ALTER POLICY: only what it names changes (RENAME TO is newName) */
  | {
    readonly kind: 'alterPolicy'; readonly name: string; readonly table: QualifiedName; readonly newName?: string;
    readonly roles?: readonly RoleRef[]; readonly using?: DdlExpr; readonly check?: DdlExpr;
  }
  | { readonly kind: 'dropPolicy'; readonly name: string; readonly table: QualifiedName; readonly missingOk: boolean };

export type BoundDdl =
  | PolicyDdl
  | CreateTable
  | AlterTable
  | Drop
  | CreateIndex
  | CreateView
  | CreateTableAs
  /** REFRESH MATERIALIZED VIEW [CONCURRENTLY] name [WITH [NO] DATA] */
  | { readonly kind: 'refreshMaterializedView'; readonly relation: QualifiedName; readonly concurrently: boolean; readonly populate: boolean }
  | { readonly kind: 'createSequence'; readonly relation: QualifiedName; readonly ifNotExists: boolean; readonly options: SequenceOptions; readonly temporary?: boolean }
  /** ALTER SEQUENCE … OWNED BY (the one option pg_dump's output uses) */
  | { readonly kind: 'alterSequence'; readonly relation: QualifiedName; readonly missingOk: boolean; readonly options: SequenceOptions }
  /** schema: WITH SCHEMA s (it must exist; Quiver's built-in extensions keep their objects in public) */
  | { readonly kind: 'createExtension'; readonly name: string; readonly ifNotExists: boolean; readonly schema?: string }
  | {
    readonly kind: 'createFunction';
    /** as written; absent: the first schema of the search path */
    readonly schema?: string;
    readonly definition: Omit<SqlFunctionDef, 'oid' | 'schema'>;
    readonly replace: boolean;
  }
  | {
    readonly kind: 'createSchema';
    /** the schema's name (CREATE SCHEMA AUTHORIZATION r without one: r's name) */
    readonly name: string;
    readonly ifNotExists: boolean;
    /** AUTHORIZATION role: the owner (absent: current_user) */
    readonly authorization?: RoleRef;
    /** the schema elements (CREATE TABLE | VIEW | SEQUENCE | INDEX …), their names put in the new schema */
    readonly elements: readonly BoundDdl[];
  }
  /** ALTER TABLE | VIEW | SEQUENCE | FUNCTION … SET SCHEMA newSchema */
  | {
    readonly kind: 'setSchema';
    readonly objectType: 'table' | 'view' | 'matview' | 'sequence' | 'function';
    readonly relation?: QualifiedName;
    readonly function?: FunctionRef;
    readonly newSchema: string;
    readonly missingOk: boolean;
  }
  /** ALTER SCHEMA name RENAME TO newName | OWNER TO owner */
  | { readonly kind: 'alterSchema'; readonly name: string; readonly newName?: string; readonly owner?: RoleRef }
  /** CREATE TYPE name AS ENUM (labels) */
  | { readonly kind: 'createEnum'; readonly name: QualifiedName; readonly labels: readonly string[] }
  /** CREATE TYPE name AS (attribute type, …) */
  | { readonly kind: 'createComposite'; readonly name: QualifiedName; readonly attributes: readonly { readonly name: string; readonly type: TypeRef }[] }
  /** ALTER TYPE name ADD VALUE | RENAME VALUE | RENAME TO | OWNER TO | SET SCHEMA */
  | { readonly kind: 'alterType'; readonly name: QualifiedName; readonly action: AlterTypeAction }
  /** CREATE DOMAIN name [AS] type [COLLATE c] [DEFAULT e] [[CONSTRAINT n] NOT NULL | NULL | CHECK (e)]… */
  | {
    readonly kind: 'createDomain'; readonly name: QualifiedName; readonly base: TypeRef; readonly collation?: string;
    readonly default?: DdlExpr; readonly notNull: boolean; readonly checks: readonly { readonly name?: string; readonly expr: DdlExpr }[];
    /** a constraint a domain cannot have (UNIQUE, PRIMARY KEY …, conflicting NULL / NOT NULL): raised when the statement runs */
    readonly error?: SqlError;
  }
  /** ALTER DOMAIN name … */
  | { readonly kind: 'alterDomain'; readonly name: QualifiedName; readonly action: AlterDomainAction }
  | { readonly kind: 'createDatabase'; readonly name: string }
  | { readonly kind: 'dropDatabase'; readonly name: string; readonly missingOk: boolean }
  | { readonly kind: 'comment'; readonly target: CommentTarget; readonly text: string | undefined }
  | {
    readonly kind: 'rename';
    /** a RENAME of another kind of object: not supported */
    readonly target: RenameTarget | { readonly unsupported: string };
    readonly relation: QualifiedName;
    readonly missingOk: boolean;
    /** old name of the column or constraint */
    readonly subname?: string;
    readonly newName: string;
  }
  | { readonly kind: 'truncate'; readonly tables: readonly QualifiedName[]; readonly restartSequences: boolean }
  /** DISCARD TEMP (and DISCARD ALL's part): the session's temporary objects go */
  | { readonly kind: 'discardTemp' }
  /** REINDEX INDEX | TABLE name, REINDEX SCHEMA | DATABASE | SYSTEM name */
  | { readonly kind: 'reindex'; readonly target: 'index' | 'table' | 'schema' | 'database' | 'system'; readonly relation?: QualifiedName; readonly name?: string; readonly concurrently: boolean };

export type DdlKind = BoundDdl['kind'];

export type AlterDomainAction =
  | { readonly kind: 'setDefault'; readonly expr: DdlExpr | undefined }
  | { readonly kind: 'setNotNull'; readonly notNull: boolean }
  | { readonly kind: 'addConstraint'; readonly name?: string; readonly expr: DdlExpr; readonly notValid: boolean }
  | { readonly kind: 'dropConstraint'; readonly constraint: string; readonly missingOk: boolean }
  | { readonly kind: 'validateConstraint'; readonly constraint: string }
  | { readonly kind: 'renameConstraint'; readonly from: string; readonly to: string }
  | { readonly kind: 'rename'; readonly newName: string }
  | { readonly kind: 'owner'; readonly owner: RoleRef }
  | { readonly kind: 'setSchema'; readonly schema: string }
  /** a NOT NULL constraint ADD CONSTRAINT names, or another kind a domain cannot have */
  | { readonly kind: 'unsupported'; readonly error: SqlError };

export type AlterTypeAction =
  /** ADD VALUE [IF NOT EXISTS] 'value' [BEFORE | AFTER 'neighbor'] */
  | { readonly kind: 'addValue'; readonly value: string; readonly ifNotExists: boolean; readonly neighbor?: string; readonly after?: boolean }
  | { readonly kind: 'renameValue'; readonly from: string; readonly to: string }
  | { readonly kind: 'rename'; readonly newName: string }
  | { readonly kind: 'owner'; readonly owner: RoleRef }
  | { readonly kind: 'setSchema'; readonly schema: string };
