/**
 * Name resolution scopes: the FROM items visible at one query level, and the chain of
 * enclosing levels for correlated subqueries.
 */
import { SqlError, SqlState } from '../errors.js';
import type { Expr, OutputColumn } from '../planner/plan.js';
import { mapExpr } from '../planner/expr-walk.js';
import { missingColumnHint } from './missing-column-hint.js';

export interface RangeEntry {
  /** the name the entry is referred to by (alias or table name) */
  readonly alias: string;
  /** schema-qualified references (schema.table.col) match this schema */
  readonly schema?: string;
  readonly columns: readonly OutputColumn[];
  /** position of the entry's first column in the combined input row */
  readonly offset: number;
  /** columns hidden from * and from unqualified names (e.g. the row id) */
  readonly hiddenFrom?: number;
  /** the relation's own name when the entry has an alias (for "Perhaps you meant …" hints) */
  readonly relname?: string;
  /** told each column (0-based, of `columns`) the query uses: column privileges are checked on them */
  readonly onUse?: (column: number) => void;
  /**
   * A join's entry (PostgreSQL's join RTE): its columns are these values over the combined
   * row — a USING / NATURAL join's merged ones first — not a stretch of the row.
   */
  readonly values?: readonly StarColumn[];
  /** `JOIN … USING (…) AS u`: a name for the merged columns, not a range table entry */
  readonly usingAlias?: boolean;
  /** its columns are not visible unqualified nor in `*` (inside a USING join, whose entry shows them; a USING alias) */
  colsHidden?: boolean;
  /** inside an aliased join: neither its name nor its columns are visible (the alias hides them) */
  hidden?: boolean;
}

/** A column of `SELECT *`: its name, its value over the FROM row, the combined-row columns it reads. */
export interface StarColumn {
  readonly name: string;
  readonly expr: Expr;
  readonly source?: OutputColumn;
  readonly reads: readonly number[];
}

/**
 * The FROM items of one level as PostgreSQL's namespace: an entry per table, subquery or
 * function, and one per JOIN … USING / NATURAL or aliased join after its inputs' entries.
 */
export class Scope {
  readonly entries: RangeEntry[] = [];
  constructor(readonly parent: Scope | null) {}

  get width(): number {
    let w = 0;
    for (const e of this.entries) if (!e.values) w = Math.max(w, e.offset + e.columns.length);
    return w;
  }

  add(alias: string, columns: readonly OutputColumn[], opts: { schema?: string; hiddenFrom?: number; relname?: string; onUse?: (column: number) => void } = {}): RangeEntry {
    this.checkUnique(alias);
    const entry: RangeEntry = { alias, columns, offset: this.width, schema: opts.schema, hiddenFrom: opts.hiddenFrom, relname: opts.relname, onUse: opts.onUse };
    this.entries.push(entry);
    return entry;
  }

  /**
   * A join's entry over the entries [from, end): `alias` '' for a USING / NATURAL join
   * without one (its columns visible unqualified, its inputs' not); with an alias, the
   * inputs are hidden altogether (transformFromClauseItem's JoinExpr). `usingAlias`: the
   * `USING (…) AS u` name of the merged columns, visible only qualified.
   */
  addJoin(alias: string, values: readonly StarColumn[], from: number, opts: { usingAlias?: boolean } = {}): RangeEntry {
    if (!opts.usingAlias) {
      for (const e of this.entries.slice(from)) {
        if (alias) e.hidden = true;
        else e.colsHidden = true;
      }
    }
    this.checkUnique(alias);
    const columns = values.map((v) => ({ name: v.name, type: v.expr.type, tableOid: v.source?.tableOid ?? 0, attnum: v.source?.attnum ?? 0 }));
    const entry: RangeEntry = { alias, columns, offset: -1, values, ...(opts.usingAlias ? { usingAlias: true, colsHidden: true } : {}) };
    this.entries.push(entry);
    return entry;
  }

  /** entries before this one are out of reach of the name check (inside an aliased join being bound) */
  private uniqueFrom = 0;

  /**
   * Bind an aliased join's inputs: their names conflict only with each other, as
   * transformFromClauseItem checks a JoinExpr's two namespaces; the alias is checked after.
   */
  insideAliasedJoin<T>(from: number, bind: () => T): T {
    const saved = this.uniqueFrom;
    this.uniqueFrom = from;
    try {
      return bind();
    } finally {
      this.uniqueFrom = saved;
    }
  }

  private checkUnique(alias: string): void {
    if (alias !== '' && this.entries.some((e, i) => i >= this.uniqueFrom && e.alias === alias && !e.hidden)) {
      throw new SqlError(SqlState.duplicateAlias, `table name "${alias}" specified more than once`);
    }
  }

  /**
   * The columns `*` expands to over the entries [from, to): each visible entry's, a USING /
   * NATURAL join's as it shows them (PostgreSQL's ExpandAllTables over p_cols_visible).
   */
  starColumns(from = 0, to = this.entries.length): StarColumn[] {
    const out: StarColumn[] = [];
    for (let k = from; k < to; k++) {
      const e = this.entries[k]!;
      if (!e.hidden && !e.colsHidden) out.push(...this.entryColumns(e));
    }
    return out;
  }

  /** `t.*`: the entry's visible columns, named by it (as a written `t.id` is in EXPLAIN VERBOSE) */
  entryColumns(e: RangeEntry, level = 0): StarColumn[] {
    if (e.values) return e.values.map((v) => (level === 0 ? v : { ...v, expr: shiftLevel(v.expr, level) }));
    const out: StarColumn[] = [];
    const visible = e.hiddenFrom ?? e.columns.length;
    for (let i = 0; i < visible; i++) {
      const c = e.columns[i]!;
      const table = e.alias ? { table: e.alias } : {};
      out.push({ name: c.name, expr: { kind: 'column', type: c.type, level, index: e.offset + i, name: c.name, ...table }, source: c, reads: [e.offset + i] });
    }
    return out;
  }

  /** The query uses the column at `index` of this level's combined row (JOIN USING). */
  noteUse(index: number): void {
    const e = this.entries.find((x) => !x.values && index >= x.offset && index < x.offset + x.columns.length);
    e?.onUse?.(index - e.offset);
  }

  findEntry(qualifier: string, schema?: string): RangeEntry | undefined {
    return this.entries.find((e) => e.alias === qualifier && !e.hidden && (schema === undefined || e.schema === undefined || e.schema === schema));
  }

  /** Resolve a column reference at this level or an enclosing one. */
  resolve(names: readonly string[], position: number | undefined): Expr {
    let level = 0;
    for (let scope: Scope | null = this; scope; scope = scope.parent, level++) {
      const found = scope.resolveHere(names, level, position);
      if (found) return found;
    }
    const shown = names.join('.');
    const colName = names[names.length - 1]!;
    if (names.length > 1) {
      const qualifier = names[names.length - 2]!;
      let known = false;
      for (let scope: Scope | null = this; scope; scope = scope.parent) if (scope.findEntry(qualifier)) known = true;
      if (!known) this.missingEntry(qualifier, position);
    }
    const hint = missingColumnHint(this, names.length > 1 ? names[names.length - 2] : undefined, colName);
    throw new SqlError(SqlState.undefinedColumn, names.length === 1 ? `column "${shown}" does not exist` : `column ${shown} does not exist`, { position, ...(hint ? { hint } : {}) });
  }

  /** A qualifier naming no FROM item in reach: an item it cannot see here, a table read under an alias, or none. */
  missingEntry(qualifier: string, position: number | undefined): never {
    for (let scope: Scope | null = this; scope; scope = scope.parent) {
      if (scope.entries.some((e) => e.hidden && e.alias === qualifier && !e.usingAlias)) {
        throw new SqlError(SqlState.undefinedTable, `invalid reference to FROM-clause entry for table "${qualifier}"`, {
          position, hint: `There is an entry for table "${qualifier}", but it cannot be referenced from this part of the query.`,
        });
      }
    }
    for (let scope: Scope | null = this; scope; scope = scope.parent) {
      const aliased = scope.entries.find((e) => e.relname === qualifier && e.alias !== qualifier);
      if (aliased) {
        throw new SqlError(SqlState.undefinedTable, `invalid reference to FROM-clause entry for table "${qualifier}"`, {
          position, hint: `Perhaps you meant to reference the table alias "${aliased.alias}".`,
        });
      }
    }
    throw new SqlError(SqlState.undefinedTable, `missing FROM-clause entry for table "${qualifier}"`, { position });
  }

  /** tableoid (system attribute -6), hidden from *, still resolves unqualified as in PostgreSQL */
  private resolveTableOid(colName: string, level: number, position: number | undefined): Expr | undefined {
    if (colName !== 'tableoid') return undefined;
    let hit: Expr | undefined;
    for (const e of this.entries) {
      if (e.hidden || e.colsHidden || e.values) continue;
      const i = e.columns.findIndex((c, j) => j >= (e.hiddenFrom ?? e.columns.length) && c.name === colName && c.attnum === -6);
      if (i < 0) continue;
      if (hit) throw new SqlError(SqlState.ambiguousColumn, `column reference "${colName}" is ambiguous`, { position });
      hit = { kind: 'column', type: e.columns[i].type, level, index: e.offset + i, name: colName, table: e.alias, position };
    }
    return hit;
  }

  /** Column `i` of entry `e` read from `level` levels down, its use noted. */
  private columnOf(e: RangeEntry, i: number, level: number, position: number | undefined): Expr {
    if (e.values) {
      const v = e.values[i]!;
      for (const at of v.reads) this.noteUse(at);
      return shiftLevel(v.expr, level);
    }
    e.onUse?.(i);
    return { kind: 'column', type: e.columns[i].type, level, index: e.offset + i, name: e.columns[i].name, table: e.alias, position };
  }

  private resolveHere(names: readonly string[], level: number, position: number | undefined): Expr | undefined {
    const colName = names[names.length - 1];
    if (names.length === 1) {
      let hit: [RangeEntry, number] | undefined;
      for (const e of this.entries) {
        if (e.hidden || e.colsHidden) continue;
        const visible = e.values ? e.columns.length : e.hiddenFrom ?? e.columns.length;
        for (let i = 0; i < visible; i++) {
          if (e.columns[i].name !== colName) continue;
          if (hit) throw new SqlError(SqlState.ambiguousColumn, `column reference "${colName}" is ambiguous`, { position });
          hit = [e, i];
        }
      }
      return hit ? this.columnOf(hit[0], hit[1], level, position) : this.resolveTableOid(colName, level, position);
    }
    const qualifier = names[names.length - 2];
    const schema = names.length > 2 ? names[names.length - 3] : undefined;
    const e = this.findEntry(qualifier, schema);
    if (!e) return undefined;
    const i = e.columns.findIndex((c) => c.name === colName);
    if (i < 0) {
      const hint = missingColumnHint(this, qualifier, colName);
      throw new SqlError(SqlState.undefinedColumn, `column ${qualifier}.${colName} does not exist`, { position, ...(hint ? { hint } : {}) });
    }
    if (e.columns.findIndex((c, k) => k > i && c.name === colName) >= 0) {
      throw new SqlError(SqlState.ambiguousColumn, `column reference "${colName}" is ambiguous`, { position });
    }
    return this.columnOf(e, i, level, position);
  }
}

/** A value over this level's row read from `level` levels down (a correlated or LATERAL reference). */
function shiftLevel(e: Expr, level: number): Expr {
  if (level === 0) return e;
  return mapExpr(e, (x) => (x.kind === 'column' ? { ...x, level: x.level + level } : undefined));
}
