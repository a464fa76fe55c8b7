/**
 * Which tables are sharded and by which key, read from shard 0's catalog (every shard holds
 * the whole catalog): every table outside pg_catalog / information_schema is sharded, its
 * key is its primary key (pg_index.indisprimary, pg_attribute). Cached by the router and
 * dropped after DDL that ran through it (another router's DDL is seen after its own next
 * DDL or restart: the catalog changes only through DDL, which every router runs on all
 * shards; a read port's router follows its main port's DDL: server.ts catalogFollows).
 */
import type { ShardedTable } from './fanout-api.js';
import { sqlType, type SqlType } from '../../types/types.js';
import type { ShardConnection } from './shard-connection.js';
import { drawsFromSequence } from './sequence-draw.js';

export interface TableColumn {
  name: string;
  type: SqlType;
}

/**
 * A column whose value, when the statement gives none, is drawn from a sequence: a DEFAULT
 * calling nextval (serial, bigserial) or an identity column. Sequences are shard 0's (each
 * shard's own would hand out the same numbers), so the router evaluates `expr` there.
 */
export interface DrawnColumn {
  readonly name: string;
  readonly type: SqlType;
  /** nextval('s'::regclass) as pg_get_expr writes it, or the identity's sequence */
  readonly expr: string;
  /** 'a': GENERATED ALWAYS AS IDENTITY (a value written in needs OVERRIDING SYSTEM VALUE), 'd': BY DEFAULT, '': a DEFAULT */
  readonly identity: '' | 'a' | 'd';
}

export interface RouterTable extends ShardedTable {
  /** the key columns' types, in key order */
  readonly keyTypes: readonly SqlType[];
  /** the key columns' DEFAULT expressions (undefined: none), e.g. nextval('t_id_seq'::regclass) */
  readonly keyDefaults: readonly (string | undefined)[];
  /** every live column in attnum order (COPY without a column list) */
  readonly columns: readonly TableColumn[];
  /** the columns (key or not) drawn from a sequence when not given, in attnum order */
  readonly drawn: readonly DrawnColumn[];
}

/** How statements name tables: a catalog seen through one session's search path. */
export interface TableLookup {
  table(schema: string | undefined, name: string): RouterTable | undefined;
  /** a view of a user schema (may read sharded tables: not routed yet) */
  isView?(schema: string | undefined, name: string): boolean;
  /** a temporary table this session created (on shard 0) */
  isTemporary?(name: string): boolean;
  /** the bodies of a user schema's function (its SQL may read sharded tables) */
  functionBodies?(schema: string | undefined, name: string): readonly string[] | undefined;
}

export class ShardCatalog {
  private readonly tables = new Map<string, RouterTable>();
  private readonly byName = new Map<string, RouterTable[]>();

  private readonly views: ReadonlySet<string>;

  private readonly functions: ReadonlyMap<string, readonly string[]>;

  /**
   * views: "schema.name" of the views of user schemas (they may read sharded tables);
   * functions: the bodies of user schemas' functions by "schema.name" (one per overload)
   */
  /** what the catalog says, as one string: two loads that say the same have equal fingerprints */
  readonly fingerprint: string;

  constructor(tables: readonly RouterTable[], views: readonly string[] = [], functions: ReadonlyMap<string, readonly string[]> = new Map()) {
    this.views = new Set(views);
    this.functions = functions;
    this.fingerprint = JSON.stringify([
      [...tables].map((t) => [t.schema, t.name, t.oid, t.keyColumns, t.keyTypes.map((k) => [k.oid, k.typmod]), t.keyDefaults, t.columns.map((c) => [c.name, c.type.oid, c.type.typmod]), t.drawn.map((d) => [d.name, d.expr, d.identity])]).sort(),
      [...views].sort(), [...functions.entries()].sort(),
    ]);
    for (const t of tables) {
      this.tables.set(`${t.schema}.${t.name}`, t);
      const same = this.byName.get(t.name) ?? [];
      same.push(t);
      this.byName.set(t.name, same);
    }
  }

  /**
   * A relation as a statement names it: an unqualified name in the first schema of the
   * session's search path that has it (its current_schemas(false)). Undefined: not a sharded
   * table (a catalog relation, a temporary table — those live on shard 0 — or none).
   */
  table(schema: string | undefined, name: string, searchPath: readonly string[] = ['public']): RouterTable | undefined {
    if (schema !== undefined) return this.tables.get(`${schema}.${name}`);
    // pg_catalog is searched first unless the path names it: its relations are never sharded
    if (this.byName.get(name) === undefined) return undefined;
    for (const s of searchPath) {
      const t = this.tables.get(`${s}.${name}`);
      if (t) return t;
    }
    return undefined;
  }

  /** Whether a relation as a statement names it is a view of a user schema. */
  isView(schema: string | undefined, name: string, searchPath: readonly string[] = ['public']): boolean {
    if (schema !== undefined) return this.views.has(`${schema}.${name}`);
    for (const s of searchPath) {
      if (this.tables.has(`${s}.${name}`)) return false;
      if (this.views.has(`${s}.${name}`)) return true;
    }
    return false;
  }

  /** The bodies of a user function as a call names it (undefined: none of that name in a user schema). */
  functionBodies(schema: string | undefined, name: string, searchPath: readonly string[] = ['public']): readonly string[] | undefined {
    if (schema !== undefined) return this.functions.get(`${schema}.${name}`);
    for (const s of searchPath) {
      const bodies = this.functions.get(`${s}.${name}`);
      if (bodies) return bodies;
    }
    return undefined;
  }

  /** `background`: a re-read nobody waits for, queued behind a stream on the connection (ShardConnection.simple) */
  static async load(connection: ShardConnection, background = false): Promise<ShardCatalog> {
    // all five queued on the connection at once: a statement the session sends meanwhile (a
    // block's BEGIN) cannot come between them and draw one into its transaction
    const query = (sql: string) => connection.simple(sql, background);
    const [rels, procs, keys, attrs, defaults] = await Promise.all([
      query(`SELECT c.oid, n.nspname, c.relname, c.relkind FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p', 'v', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`),
      query(`SELECT n.nspname, p.proname, p.prosrc FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`),
      query(`SELECT i.indrelid, i.indkey FROM pg_catalog.pg_index i WHERE i.indisprimary`),
      // an identity column's sequence is not in pg_attrdef: pg_get_serial_sequence names it
      query(`SELECT a.attrelid, a.attnum, a.attname, a.atttypid, a.atttypmod, a.attidentity,
         CASE WHEN a.attidentity <> '' THEN pg_catalog.pg_get_serial_sequence(pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname), a.attname) END
       FROM pg_catalog.pg_attribute a
       JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p')
         AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`),
      query(`SELECT d.adrelid, d.adnum, pg_catalog.pg_get_expr(d.adbin, d.adrelid) FROM pg_catalog.pg_attrdef d`),
    ]);
    const functions = new Map<string, string[]>();
    for (const [schema, name, body] of procs.rows) {
      const key = `${schema}.${name}`;
      functions.set(key, [...(functions.get(key) ?? []), body ?? '']);
    }
    const defaultOf = new Map<string, string>();
    for (const [rel, num, expr] of defaults.rows) defaultOf.set(`${rel}.${num}`, expr!);
    const keyOf = new Map<number, number[]>();
    for (const [rel, indkey] of keys.rows) keyOf.set(Number(rel), String(indkey).trim().split(/\s+/).map(Number));
    const columnsOf = new Map<number, Map<number, TableColumn>>();
    const identityOf = new Map<string, { kind: 'a' | 'd'; sequence: string }>();
    for (const [rel, num, name, typ, typmod, identity, sequence] of attrs.rows) {
      const cols = columnsOf.get(Number(rel)) ?? new Map<number, TableColumn>();
      cols.set(Number(num), { name: name!, type: sqlType(Number(typ), Number(typmod)) });
      columnsOf.set(Number(rel), cols);
      if ((identity === 'a' || identity === 'd') && sequence) identityOf.set(`${rel}.${num}`, { kind: identity, sequence });
    }
    // an identity column's value comes from its sequence as a DEFAULT's does
    for (const [at, { sequence }] of identityOf) defaultOf.set(at, `nextval('${sequence.replace(/'/g, "''")}'::regclass)`);
    const tables: RouterTable[] = [];
    const views: string[] = [];
    for (const [oidText, schema, name, kind] of rels.rows) {
      if (kind === 'v' || kind === 'm') {
        views.push(`${schema}.${name}`);
        continue;
      }
      const oid = Number(oidText);
      const cols = columnsOf.get(oid) ?? new Map<number, TableColumn>();
      const keyNums = (keyOf.get(oid) ?? []).filter((n) => cols.has(n));
      const key = keyNums.map((n) => cols.get(n)!);
      tables.push({
        schema: schema!, name: name!, oid,
        keyColumns: key.map((c) => c.name),
        keyTypes: key.map((c) => c.type),
        keyDefaults: keyNums.map((n) => defaultOf.get(`${oid}.${n}`)),
        columns: [...cols.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c),
        drawn: [...cols.entries()].sort((a, b) => a[0] - b[0]).flatMap(([n, c]) => {
          const expr = defaultOf.get(`${oid}.${n}`);
          return drawsFromSequence(expr) ? [{ name: c.name, type: c.type, expr: expr!, identity: identityOf.get(`${oid}.${n}`)?.kind ?? '' }] : [];
        }),
      });
    }
    return new ShardCatalog(tables, views, functions);
  }
}
