/**
 * A session's temporary schema, PostgreSQL's pg_temp_N (N the backend's number, with its
 * pg_toast_temp_N companion): made at the session's first CREATE TEMP …, searched first for
 * relation names, and emptied when the session ends or runs DISCARD TEMP / ALL.
 *
 * Temporary objects sit in the shared catalog like any other (pg_class lists every
 * session's, as PostgreSQL does) but never in its durable image (Catalog.durableData): a
 * restart, clean or not, starts without them, and the storage of their tables, which no
 * image names, is removed then (server.ts: pruneTables). Their rows go through the normal
 * storage path and log, so they cost what a permanent table's cost; nothing of them
 * outlives a restart.
 */
import type { Catalog, TableDef } from '../catalog/catalog.js';
import { isTempSchema } from '../catalog/schemas.js';
import { leafPartitions } from '../catalog/partitions.js';
import type { Storage } from '../storage/api.js';

/** Backend numbers for pg_temp_N, unique among the sessions alive (PostgreSQL's backend IDs). */
export class TempNumbers {
  private readonly used = new Set<number>();
  /** the lowest free number: PostgreSQL's first client backend is usually 3 (the launchers take 1 and 2) */
  allocate(): number {
    let n = 3;
    while (this.used.has(n)) n++;
    this.used.add(n);
    return n;
  }

  release(n: number): void {
    this.used.delete(n);
  }
}

export class SessionTempSchema {
  private number: number | undefined;
  private schema: string | undefined;

  constructor(private readonly numbers: TempNumbers) {}

  /** pg_temp_N once this session made a temporary object (pg_my_temp_schema()'s schema) */
  get name(): string | undefined {
    return this.schema;
  }

  /** The session's temporary schema, made now if it has none yet (InitTempTableNamespace). */
  ensure(catalog: Catalog): string {
    if (this.schema === undefined) {
      this.number = this.numbers.allocate();
      this.schema = catalog.tempSchema(this.number);
    }
    return this.schema;
  }

  /** `pg_temp` written as a schema means this session's temporary schema (when it has one) */
  resolve(schema: string): string {
    return schema === 'pg_temp' && this.schema !== undefined ? this.schema : schema;
  }

  /** another backend's pg_temp_N */
  isOther(schema: string | undefined): boolean {
    return schema !== undefined && isTempSchema(schema) && schema !== this.schema;
  }

  /**
   * The search path for relations and types: the temporary schema first, unless the path
   * names pg_temp somewhere (then there); without a temporary schema, pg_temp is left out
   * (recomputeNamespacePath). Functions and operators are never looked up in it.
   */
  relationPath(explicit: readonly string[]): string[] {
    const temp = this.schema;
    if (temp === undefined) return explicit.filter((s) => s !== 'pg_temp');
    const at = explicit.indexOf('pg_temp');
    if (at < 0) return [temp, ...explicit.filter((s) => s !== temp)];
    return explicit.map((s) => (s === 'pg_temp' ? temp : s)).filter((s, i, all) => all.indexOf(s) === i);
  }

  /**
   * The session ends: its temporary objects leave the catalog at once (another session may
   * take its number right away); returns the tables whose storage is to be dropped.
   */
  end(catalog: Catalog): number[] {
    const storage = this.schema === undefined ? [] : removeTempObjects(catalog, this.schema);
    if (this.number !== undefined) this.numbers.release(this.number);
    this.number = undefined;
    this.schema = undefined;
    return storage;
  }
}

/** Remove every object of a temporary schema from the catalog (views elsewhere over its tables too); the storage to drop. */
export function removeTempObjects(catalog: Catalog, schema: string): number[] {
  const tables = [...catalog.tables.values()].filter((t) => t.schema === schema);
  if (tables.length === 0 && ![...catalog.sequences.values()].some((s) => s.schema === schema)) return [];
  const storage: number[] = [];
  for (const t of tables) {
    if (!catalog.tables.has(t.oid)) continue;
    if (t.kind !== 'v') for (const leaf of leafPartitions(catalog, t)) if (leaf.kind === 'r') storage.push(leaf.oid);
    catalog.dropTable(t.oid);
  }
  // views of other schemas over them (PostgreSQL makes such views temporary; one written before, or by name, goes too)
  for (const t of [...catalog.tables.values()]) if (t.kind === 'v' && readsAny(t, schema)) catalog.dropTable(t.oid);
  for (const [oid, s] of catalog.sequences) if (s.schema === schema) catalog.sequences.delete(oid);
  for (const [oid, f] of catalog.functions) if (f.schema === schema) catalog.functions.delete(oid);
  catalog.version++;
  return storage;
}

function readsAny(view: TableDef, schema: string): boolean {
  return (view.view?.names ?? []).some((n) => n.kind === 'relation' && n.schema === schema);
}

/** Drop the storage of tables removed from the catalog (errors only logged: the next start removes what is left). */
export function dropTempStorage(storage: Storage, oids: readonly number[]): Promise<void> {
  return oids.reduce((p, oid) => p.then(() => storage.dropTable(oid)).catch(() => {}), Promise.resolve());
}

/** ON COMMIT DROP: these temporary tables leave the catalog; the storage to drop. */
export function removeTempTables(catalog: Catalog, tables: readonly TableDef[]): number[] {
  const storage: number[] = [];
  for (const t of tables) {
    if (!catalog.tables.has(t.oid)) continue;
    for (const leaf of leafPartitions(catalog, t)) if (leaf.kind === 'r') storage.push(leaf.oid);
    catalog.dropTable(t.oid);
  }
  return storage;
}

/** The session's temporary tables with ON COMMIT DELETE ROWS / DROP. */
export function onCommitTables(catalog: Catalog, schema: string | undefined): { deleteRows: TableDef[]; drop: TableDef[] } {
  const deleteRows: TableDef[] = [];
  const drop: TableDef[] = [];
  if (schema === undefined) return { deleteRows, drop };
  for (const t of catalog.tables.values()) {
    if (t.schema !== schema || !t.onCommit) continue;
    (t.onCommit === 'drop' ? drop : deleteRows).push(t);
  }
  return { deleteRows, drop };
}
