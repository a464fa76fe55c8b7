/**
 * A session's recently prepared SELECTs, by exact text and parameter types: a simple Query
 * or a Parse of a text the session prepared twice before takes the bound plan instead of
 * parsing, binding and planning it again (PostgreSQL parses and plans a simple Query at
 * every run, in ~10 µs; Quiver's parse, bind and plan of a key lookup cost ~100 µs).
 *
 * An entry is used only while everything its planning read is unchanged, so the plan is
 * the one a fresh prepare would make now: the same catalog and catalog version (DDL,
 * GRANT), the same statistics (ANALYZE, VACUUM: `Catalog.statsVersion`), the same session
 * settings (any SET, RESET or transaction end that changed a value), the same search path,
 * and the same live row counts for every table the cost model asked about. Statements that
 * are not cached: anything but a SELECT; those that read the time while binding (a
 * datetime literal: 'now' is the statement's time); those whose binding sent a notice
 * (it would not be sent again); those under row-level security (policies depend on who
 * runs them); and those with a vector search, whose plan remembers how its filter passed
 * in earlier runs (vector-search.ts), which a simple Query never did.
 */
import type { Catalog } from '../catalog/catalog.js';
import type { QuiverStatement } from './prepare.js';

/** What planning read that may change under a statement (recorded while it is prepared). */
export interface PlanReads {
  /** table OID → the live row count the cost model was given */
  readonly rowCounts: Map<number, number>;
  /** binding read the current time (a datetime literal) */
  time: boolean;
}

/** What the cache checks its entries against: the session as it is now. */
export interface StatementCacheSession {
  readonly catalog: Catalog;
  readonly settings: { readonly generation: number };
  searchPath(): string[];
  rowCount(tableOid: number): number;
}

interface Entry {
  readonly stmt: QuiverStatement;
  readonly catalog: Catalog;
  readonly catalogVersion: number;
  readonly statsVersion: number;
  readonly settingsGeneration: number;
  readonly rowCounts: readonly (readonly [number, number])[];
}

/** entries kept per session (least recently used goes first) */
const CAPACITY = 64;
/** keys remembered as prepared once (oldest forgotten first) */
const SEEN_CAPACITY = 256;
/** texts longer than this are not kept (a generated statement is seldom sent twice) */
const MAX_TEXT = 4096;
/** plan objects visited looking for a vector search before giving up (and not caching) */
const MAX_VISITS = 20_000;

export class StatementCache {
  private readonly entries = new Map<string, Entry>();
  /**
   * Keys prepared once, not kept yet: a statement is kept the second time its text comes,
   * so texts that never come again (a new literal each time) keep no plan alive — kept
   * plans outlive the young generation, and churning them cost more than the cache saved.
   */
  private readonly seenOnce = new Set<string>();

  /** The cached statement for this text and these types, if it is still what preparing it now would give. */
  get(session: StatementCacheSession, sql: string, paramTypes: readonly number[]): QuiverStatement | undefined {
    if (this.entries.size === 0) return undefined;
    const key = cacheKey(sql, paramTypes);
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (!stillValid(session, e)) {
      this.entries.delete(key);
      return undefined;
    }
    // most recently used last
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.stmt;
  }

  /** Keep a statement just prepared (with what its planning read), if it may be reused. */
  offer(session: StatementCacheSession, sql: string, paramTypes: readonly number[], stmt: QuiverStatement, reads: PlanReads, settingsGeneration: number): void {
    if (sql.length > MAX_TEXT || stmt.bound.kind !== 'select') return;
    const key = cacheKey(sql, paramTypes);
    if (!this.seenOnce.delete(key)) {
      if (this.seenOnce.size >= SEEN_CAPACITY) this.seenOnce.delete(this.seenOnce.values().next().value!);
      this.seenOnce.add(key);
      return;
    }
    if (!cacheable(stmt, reads)) return;
    this.entries.delete(key);
    if (this.entries.size >= CAPACITY) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, {
      stmt, catalog: session.catalog, catalogVersion: stmt.catalogVersion, statsVersion: session.catalog.statsVersion,
      settingsGeneration, rowCounts: [...reads.rowCounts],
    });
  }
}

function cacheKey(sql: string, paramTypes: readonly number[]): string {
  return paramTypes.length === 0 ? sql : `${paramTypes.join(',')}\u0000${sql}`;
}

function stillValid(session: StatementCacheSession, e: Entry): boolean {
  const catalog = session.catalog;
  if (catalog !== e.catalog || catalog.version !== e.catalogVersion || catalog.statsVersion !== e.statsVersion) return false;
  if (session.settings.generation !== e.settingsGeneration) return false;
  if (e.stmt.searchPath !== undefined && e.stmt.searchPath !== session.searchPath().join(',')) return false;
  for (const [oid, n] of e.rowCounts) if (session.rowCount(oid) !== n) return false;
  return true;
}

function cacheable(stmt: QuiverStatement, reads: PlanReads): boolean {
  if (stmt.bound.kind !== 'select' || !stmt.raw || stmt.rowSecurity || reads.time) return false;
  return !hasVectorSearch(stmt.bound.plan);
}

/**
 * Whether a plan (subqueries and SQL function bodies included) has a vector search; also
 * true when the plan is too large to tell cheaply. Tables and their statistics are not
 * walked (`table`, `partitions`).
 */
function hasVectorSearch(plan: object): boolean {
  const seen = new Set<object>();
  const stack: object[] = [plan];
  while (stack.length > 0) {
    const o = stack.pop()!;
    if (seen.has(o)) continue;
    seen.add(o);
    if (seen.size > MAX_VISITS) return true;
    if (Array.isArray(o)) {
      for (const x of o) if (x !== null && typeof x === 'object') stack.push(x);
      continue;
    }
    if ((o as { vectorSearch?: unknown }).vectorSearch !== undefined) return true;
    for (const k in o) {
      if (k === 'table' || k === 'partitions') continue;
      const v = (o as Record<string, unknown>)[k];
      if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v)) stack.push(v);
    }
  }
  return false;
}
