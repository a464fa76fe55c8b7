/**
 * Name resolution scopes: the FROM items visible at one query level, and the chain of
 * enclosing levels for correlated subqueries.
 */
import { SqlError, SqlState } from '../errors.js';
import type { Expr, OutputColumn } from '../planner/plan.js';

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
}

/** A column of `SELECT *`: its name, its value over the FROM row, the combined-row columns it reads. */
export interface StarColumn {
  readonly name: string;
  readonly expr: Expr;
  readonly source?: OutputColumn;
  readonly reads: readonly number[];
}

export class Scope {
  readonly entries: RangeEntry[] = [];
  /** unqualified names merged by JOIN USING: name → expression */
  readonly merged = new Map<string, Expr>();
  /**
   * JOIN … USING / NATURAL over the entries [from, to): the columns its `*` shows — the
   * merged ones first, then each side's others (PostgreSQL's join output columns)
   */
  readonly joinStars: { readonly from: number; readonly to: number; readonly columns: readonly StarColumn[] }[] = [];
  constructor(readonly parent: Scope | null) {}

  get width(): number {
    let w = 0;
    for (const e of this.entries) w = Math.max(w, e.offset + e.columns.length);
    return w;
  }

  add(alias: string, columns: readonly OutputColumn[], opts: { schema?: string; hiddenFrom?: number; relname?: string; onUse?: (column: number) => void } = {}): RangeEntry {
    if (this.entries.some((e) => e.alias === alias) && alias !== '') {
      throw new SqlError(SqlState.duplicateAlias, `table name "${alias}" specified more than once`);
    }
    const entry: RangeEntry = { alias, columns, offset: this.width, schema: opts.schema, hiddenFrom: opts.hiddenFrom, relname: opts.relname, onUse: opts.onUse };
    this.entries.push(entry);
    return entry;
  }

  /**
   * The columns `*` expands to over the entries [from, to): a USING / NATURAL join's as it
   * shows them, every other entry's visible columns, named by the entry.
   */
  starColumns(from = 0, to = this.entries.length): StarColumn[] {
    const out: StarColumn[] = [];
    for (let k = from; k < to;) {
      let join: (typeof this.joinStars)[number] | undefined;
      for (const j of this.joinStars) if (j.from === k && j.to <= to && (!join || j.to > join.to)) join = j;
      if (join) {
        out.push(...join.columns);
        k = join.to;
        continue;
      }
      const e = this.entries[k]!;
      const visible = e.hiddenFrom ?? e.columns.length;
      for (let i = 0; i < visible; i++) {
        const c = e.columns[i]!;
        // named by its FROM item, as a written `a.id` is (EXPLAIN VERBOSE's Output: a.id)
        const table = e.alias ? { table: e.alias } : {};
        out.push({ name: c.name, expr: { kind: 'column', type: c.type, level: 0, index: e.offset + i, name: c.name, ...table }, source: c, reads: [e.offset + i] });
      }
      k++;
    }
    return out;
  }

  /** The query uses the column at `index` of this level's combined row (JOIN USING). */
  noteUse(index: number): void {
    const e = this.entries.find((x) => index >= x.offset && index < x.offset + x.columns.length);
    e?.onUse?.(index - e.offset);
  }

  findEntry(qualifier: string, schema?: string): RangeEntry | undefined {
    return this.entries.find((e) => e.alias === qualifier && (schema === undefined || e.schema === undefined || e.schema === schema));
  }

  /** Resolve a column reference at this level or an enclosing one. */
  resolve(names: readonly string[], position: number | undefined): Expr {
    let level = 0;
    for (let scope: Scope | null = this; scope; scope = scope.parent, level++) {
      const found = scope.resolveHere(names, level, position);
      if (found) return found;
    }
    const shown = names.join('.');
    if (names.length > 1) {
      const qualifier = names[names.length - 2];
      let known = false;
      for (let scope: Scope | null = this; scope; scope = scope.parent) if (scope.findEntry(qualifier)) known = true;
      if (!known) {
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
    }
    throw new SqlError(SqlState.undefinedColumn, names.length === 1 ? `column "${shown}" does not exist` : `column ${shown} does not exist`, { position });
  }

  /** tableoid (system attribute -6), hidden from *, still resolves unqualified as in PostgreSQL */
  private resolveTableOid(colName: string, level: number, position: number | undefined): Expr | undefined {
    if (colName !== 'tableoid') return undefined;
    let hit: Expr | undefined;
    for (const e of this.entries) {
      const i = e.columns.findIndex((c, j) => j >= (e.hiddenFrom ?? e.columns.length) && c.name === colName && c.attnum === -6);
      if (i < 0) continue;
      if (hit) throw new SqlError(SqlState.ambiguousColumn, `column reference "${colName}" is ambiguous`, { position });
      hit = { kind: 'column', type: e.columns[i].type, level, index: e.offset + i, name: colName, table: e.alias, position };
    }
    return hit;
  }

  private resolveHere(names: readonly string[], level: number, position: number | undefined): Expr | undefined {
    const colName = names[names.length - 1];
    if (names.length === 1) {
      const merged = this.merged.get(colName);
      if (merged) return level === 0 ? merged : shiftLevel(merged, level);
      let hit: Expr | undefined;
      for (const e of this.entries) {
        const visible = e.hiddenFrom ?? e.columns.length;
        for (let i = 0; i < visible; i++) {
          if (e.columns[i].name !== colName) continue;
          if (hit) throw new SqlError(SqlState.ambiguousColumn, `column reference "${colName}" is ambiguous`, { position });
          hit = { kind: 'column', type: e.columns[i].type, level, index: e.offset + i, name: colName, table: e.alias, position };
          e.onUse?.(i);
        }
      }
      return hit ?? this.resolveTableOid(colName, level, position);
    }
    const qualifier = names[names.length - 2];
    const schema = names.length > 2 ? names[names.length - 3] : undefined;
    const e = this.findEntry(qualifier, schema);
    if (!e) return undefined;
    const i = e.columns.findIndex((c) => c.name === colName);
    if (i < 0) {
      throw new SqlError(SqlState.undefinedColumn, `column ${qualifier}.${colName} does not exist`, { position });
    }
    e.onUse?.(i);
    return { kind: 'column', type: e.columns[i].type, level, index: e.offset + i, name: colName, table: e.alias, position };
  }
}

function shiftLevel(e: Expr, level: number): Expr {
  if (e.kind === 'column') return { ...e, level: e.level + level };
  return e;
}
