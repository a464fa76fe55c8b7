/**
 * SELECT binding: FROM items → joins, WHERE, GROUP BY / aggregates / HAVING, the select
 * list, DISTINCT, ORDER BY, LIMIT/OFFSET, set operations, VALUES and WITH. The result is
 * a logical plan; the planner rewrites it (e.g. ORDER BY … LIMIT → top-k).
 */
import { sortDirection } from './sort-direction.js';
import { rewriteSearchAndCycle } from './search-cycle.js';
import { functionPath } from '../catalog/schemas.js';
import { SqlError, SqlState } from '../errors.js';
import { commonType } from '../functions/index.js';
import { readAsSubquery, type AggregateCall, type Expr, type OutputColumn, type Plan, type SortKey } from '../planner/plan.js';
import { OID, T, TYPES, formatType, type SqlType } from '../types/types.js';
import { bindExpr, bindNamedArgs, noteBound, bindWindowSpec, coerce, refuseSrfs, resolveUnknown, type BindEnv, type ExprContext } from './bind-expr.js';
import { leftmostPosition, rawPosition } from './positions.js';
import { resolveTypeName } from './type-names.js';
import { mapExpr, planIsCorrelated, readsColumnAt } from '../planner/expr-walk.js';
import { isSetReturning, resolveSetFunction, type ResolvedSetFunction } from '../functions/set-functions.js';
import { recordFields, recordFunctionFor, recordType } from '../functions/records.js';
import { leafPartitions } from '../catalog/partitions.js';
import { bindFunctionArgs, bindFunctionBody, findSqlFunction, functionColumns } from './bind-function.js';
import type { RawNode } from './parser.js';
import { Scope, type StarColumn } from './scope.js';
import { windowDefinitions } from './bind-window.js';
import { GROUPING_FUNCTION, expandGroupingSets, hasGroupingSets, uniqueSets } from './grouping-sets.js';
import { checkWellFormedRecursion } from './check-recursive-cte.js';
import type { Catalog, SequenceDef, SqlFunctionDef, SystemRelation, TableDef } from '../catalog/catalog.js';
import { PolicyBinder, type RlsCommand, type RowSecurityEnv } from './row-security.js';
import type { DmlStatement, MergePolicyChecks, ModifyingCte, PolicyCheck } from '../planner/dml-statement.js';

export interface SelectEnv extends BindEnv {
  readonly catalog: Catalog;
  /** schemas searched for unqualified names, pg_catalog implicitly first */
  readonly searchPath: readonly string[];
  systemRelation(schema: string | undefined, name: string): SystemRelation | undefined;
  /** who reads and writes rows, for row-level security (absent: no policies apply) */
  readonly rowSecurity?: RowSecurityEnv;
  /** does the current role have USAGE on an existing schema (absent: no checks) */
  readonly schemaUsable?: (schema: string) => boolean;
}

interface CteDef {
  readonly name: string;
  readonly plan: Plan;
  readonly id: number;
  readonly materialized?: 'always' | 'never';
  readonly recursive?: boolean;
  /** while its recursive term is being bound: references read the work table */
  readonly workTable?: number;
  /** `AS NOT MATERIALIZED`: each further reference binds the query again (its own plan to inline) */
  readonly rebind?: () => Plan;
  /** references bound so far */
  uses?: number;
  /** a data-modifying query: `plan` stands for its RETURNING rows (none without RETURNING: it cannot be read) */
  readonly modifying?: 'returning' | 'none';
  /** its source, for the estimate of its rows */
  readonly rowsFrom?: Plan;
}

let nextCteId = 1;

const pos = (n: RawNode | undefined): number | undefined => (n && typeof n.location === 'number' && n.location >= 0 ? n.location + 1 : undefined);

/** A table a statement reads or writes: the privilege it needs, checked as `checkAs` (a view's owner inside its query) or else current_user. */
export interface TableAccess {
  readonly table: TableDef;
  readonly privilege: 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';
  readonly checkAs?: number;
  /** 0-based columns the statement uses this way (column privileges suffice for them when the table's is missing) */
  readonly columns?: Set<number>;
  /** a call of a SQL function: EXECUTE is needed on it (the table is absent then) */
  readonly function?: undefined;
  readonly builtin?: undefined;
}

/** A call of a CREATE FUNCTION function: EXECUTE is checked on it like a table's privilege. */
export interface FunctionAccess {
  readonly function: SqlFunctionDef;
  readonly checkAs?: number;
  readonly table?: undefined;
  readonly builtin?: undefined;
}

/** A call of a built-in function (pg_proc row `oid`; kind a: an aggregate): EXECUTE is checked on it, as current_user. */
export interface BuiltinFunctionAccess {
  readonly builtin: { readonly oid: number; readonly name: string; readonly kind: string };
  readonly table?: undefined;
  readonly function?: undefined;
  readonly checkAs?: undefined;
}

export type Access = TableAccess | FunctionAccess | BuiltinFunctionAccess;

export class SelectBinder {
  private readonly ctes: Map<string, CteDef>[] = [];
  /**
   * The top-level statement's WITH clause, the one place INSERT / UPDATE / DELETE may be a
   * WITH query, and how to bind them (sql/statement.ts sets it; bind-dml binds them).
   */
  topLevelWith?: { readonly clause: RawNode; readonly bind: (n: RawNode) => DmlStatement };
  /** the data-modifying WITH queries bound, in order, with their definitions (whose `uses` count the references) */
  private readonly modifying: { cte: Omit<ModifyingCte, 'referenced'>; def: CteDef }[] = [];
  /** range table entries bound so far, PostgreSQL's count (planner/plan.ts rangeTableSizes) */
  rangeTableEntries = 0;
  /** every table the statement names, for the engine's privilege check before it runs */
  readonly accessed: Access[] = [];
  /** owners of the views being expanded: their queries run with the owner's rights */
  private readonly viewOwners: number[] = [];

  /** row-level security: policy expressions bound over the tables they guard */
  private readonly policies = new PolicyBinder(this);
  /** a table with row-level security was read or written: the statement depends on who runs it */
  rowSecurityDependent = false;

  /** The user whose policies apply here: a view's owner inside its query, else current_user. */
  private rowSecurityRole(env: RowSecurityEnv): number {
    return this.viewOwners[this.viewOwners.length - 1] ?? env.role;
  }

  /** The security quals a scan of `table` gets for `commands` (null: none apply). */
  securityQual(table: TableDef, commands: readonly RlsCommand[]): Expr | null {
    const env = this.env.rowSecurity;
    if (!env || !table.rowSecurity) return null;
    this.rowSecurityDependent = true;
    return this.policies.securityQual(table, commands, env, this.rowSecurityRole(env));
  }

  /** The WITH CHECK options new rows of INSERT / UPDATE must pass. */
  policyChecks(table: TableDef, command: 'INSERT' | 'UPDATE', readsRows: boolean): PolicyCheck[] {
    const env = this.env.rowSecurity;
    if (!env || !table.rowSecurity) return [];
    this.rowSecurityDependent = true;
    return this.policies.withChecks(table, command, readsRows, env, this.rowSecurityRole(env));
  }

  /** INSERT … ON CONFLICT DO UPDATE's options for the existing and the updated row. */
  conflictPolicyChecks(table: TableDef): { existing: PolicyCheck[]; updated: PolicyCheck[] } {
    const env = this.env.rowSecurity;
    if (!env || !table.rowSecurity) return { existing: [], updated: [] };
    this.rowSecurityDependent = true;
    return this.policies.conflictChecks(table, env, this.rowSecurityRole(env));
  }

  /** MERGE's options for the rows its actions change and write (sql/bind-merge.ts). */
  mergePolicyChecks(table: TableDef, readsRows: boolean): MergePolicyChecks | undefined {
    const env = this.env.rowSecurity;
    if (!env || !table.rowSecurity) return undefined;
    this.rowSecurityDependent = true;
    return this.policies.mergeChecks(table, readsRows, env, this.rowSecurityRole(env));
  }

  /** Would policies apply to `table` (COPY FROM refuses them)? */
  rowSecurityApplies(table: TableDef): boolean {
    return this.securityQual(table, ['SELECT']) !== null;
  }

  /**
   * The statement uses `table` for `privilege`; the returned set collects the columns it uses
   * so (`byColumn` false: the table's privilege is needed, as for DELETE).
   */
  noteAccess(table: TableDef, privilege: TableAccess['privilege'], byColumn = true): Set<number> {
    const checkAs = this.viewOwners[this.viewOwners.length - 1];
    const columns = new Set<number>();
    const access: TableAccess = byColumn ? { table, privilege, columns } : { table, privilege };
    this.accessed.push(checkAs === undefined ? access : { ...access, checkAs });
    return columns;
  }

  /** The statement calls SQL function `fn` (EXECUTE is checked before it runs). */
  noteFunction(fn: SqlFunctionDef): void {
    const checkAs = this.viewOwners[this.viewOwners.length - 1];
    this.accessed.push(checkAs === undefined ? { function: fn } : { function: fn, checkAs });
  }

  /** while binding a FROM list whose query names tableoid */
  private tableOid = false;
  constructor(readonly env: SelectEnv) {}

  /** Bind a SelectStmt (including VALUES and set operations) at a new query level. */
  bindSelect(stmt: RawNode, parent: Scope | null, targetTypes?: readonly SqlType[]): Plan {
    const hasCtes = !!stmt.withClause;
    if (hasCtes) this.pushCtes(stmt.withClause, parent);
    try {
      const plan = this.bindSelectBody(stmt, parent, targetTypes);
      this.env.bound?.itemColumns.set(stmt, plan.schema.map((c) => c.name));
      return plan;
    } finally {
      if (hasCtes) this.ctes.pop();
    }
  }

  /** An INSERT's, UPDATE's or DELETE's WITH queries, visible while `bind` binds the statement's parts. */
  withQueries<T>(withClause: RawNode | undefined, bind: () => T): T {
    if (!withClause) return bind();
    this.pushCtes(withClause, null);
    try {
      return bind();
    } finally {
      this.ctes.pop();
    }
  }

  private pushCtes(withClause: RawNode, parent: Scope | null): void {
    const map = new Map<string, CteDef>();
    // names are checked before any query is bound, as in PostgreSQL's transformWithClause
    const names = new Set<string>();
    for (const c of withClause.ctes as RawNode[]) {
      const name = c.CommonTableExpr.ctename as string;
      if (names.has(name)) throw new SqlError(SqlState.duplicateAlias, `WITH query name "${name}" specified more than once`, { position: rawPosition(c) });
      names.add(name);
    }
    this.ctes.push(map);
    for (const c of withClause.ctes as RawNode[]) {
      // SEARCH / CYCLE are written into the query first (search-cycle.ts), as PostgreSQL's rewriter does
      const cte = c.CommonTableExpr.search_clause || c.CommonTableExpr.cycle_clause ? rewriteSearchAndCycle(c.CommonTableExpr) : c.CommonTableExpr;
      const q = cte.ctequery;
      const aliases = ((cte.aliascolnames ?? []) as RawNode[]).map((a) => a.String.sval as string);
      if (!q.SelectStmt) {
        map.set(cte.ctename, this.bindModifyingCte(c, withClause, aliases));
        continue;
      }
      const materialized: CteDef['materialized'] = cte.ctematerialized === 'CTEMaterializeAlways' ? 'always' : cte.ctematerialized === 'CTEMaterializeNever' ? 'never' : undefined;
      const how = materialized ? { materialized } : {};
      if (withClause.recursive && refersTo(q.SelectStmt, cte.ctename)) {
        map.set(cte.ctename, { name: cte.ctename, plan: this.bindRecursiveCte(cte, q.SelectStmt, aliases, map, parent), id: nextCteId++, recursive: true, ...how });
        continue;
      }
      const bindQuery = (): Plan => {
        const plan = this.bindSelect(q.SelectStmt, parent);
        return aliases.length ? renameColumns(plan, aliases) : plan;
      };
      const plan = bindQuery();
      // PostgreSQL copies a NOT MATERIALIZED query into each place that reads it; a copy bound
      // again, with the WITH queries it saw, keeps the plans apart (inline-ctes replaces each)
      const rebind = materialized === 'never' ? this.rebinder(bindQuery) : undefined;
      map.set(cte.ctename, { name: cte.ctename, plan, id: nextCteId++, ...how, ...(rebind ? { rebind } : {}) });
    }
  }

  /** WITH name AS (INSERT | UPDATE | DELETE …): bound now, run before the statement (executor/dml.ts) */
  private bindModifyingCte(c: RawNode, withClause: RawNode, aliases: string[]): CteDef {
    const cte = c.CommonTableExpr;
    if (cte.ctequery.MergeStmt) throw new SqlError(SqlState.featureNotSupported, 'MERGE not supported in WITH query', { position: rawPosition(c) });
    const top = this.topLevelWith;
    if (!top || top.clause !== withClause) {
      throw new SqlError(SqlState.featureNotSupported, 'WITH clause containing a data-modifying statement must be at the top level', { position: rawPosition(c) });
    }
    if (withClause.recursive && refersTo(cte.ctequery, cte.ctename)) {
      throw new SqlError(SqlState.invalidRecursion, `recursive query "${cte.ctename}" must not contain data-modifying statements`, { position: rawPosition(c) });
    }
    const stmt = top.bind(cte.ctequery);
    if (stmt.kind === 'select') throw new SqlError(SqlState.internalError, 'bug: a SELECT bound as a data-modifying WITH query');
    const id = nextCteId++;
    const rows: Plan = { kind: 'values', schema: stmt.returning?.schema ?? [], rows: [] };
    const def: CteDef = { name: cte.ctename, plan: aliases.length ? renameColumns(rows, aliases) : rows, id, modifying: stmt.returning ? 'returning' : 'none', rowsFrom: stmt.source };
    this.modifying.push({ cte: { id, name: cte.ctename, stmt }, def });
    return def;
  }

  /** The data-modifying WITH queries bound so far (the statement's, once it is bound), handed over once. */
  takeModifying(): ModifyingCte[] {
    return this.modifying.splice(0).map(({ cte, def }) => ({ ...cte, referenced: (def.uses ?? 0) > 0 }));
  }

  /** `bind` run later under the WITH queries visible now (earlier siblings, outer levels). */
  private rebinder(bind: () => Plan): () => Plan {
    const visible = this.ctes.map((m) => new Map(m));
    return () => {
      const saved = this.ctes.splice(0, this.ctes.length, ...visible);
      try {
        return bind();
      } finally {
        this.ctes.splice(0, this.ctes.length, ...saved);
      }
    };
  }

  /** WITH RECURSIVE name AS (non-recursive term UNION [ALL] recursive term) */
  private bindRecursiveCte(cte: RawNode, stmt: RawNode, aliases: string[], map: Map<string, CteDef>, parent: Scope | null): Plan {
    if (stmt.op !== 'SETOP_UNION') {
      throw new SqlError(SqlState.invalidRecursion, `recursive query "${cte.ctename}" does not have the form non-recursive-term UNION [ALL] recursive-term`, { position: rawPosition({ CommonTableExpr: cte }) });
    }
    checkWellFormedRecursion(cte.ctename, stmt);
    let base = this.bindSelect(stmt.larg, parent);
    if (aliases.length) base = renameColumns(base, aliases);
    const workTable = nextCteId++;
    map.set(cte.ctename, { name: cte.ctename, plan: base, id: workTable, workTable });
    let rec = this.bindSelect(stmt.rarg, parent);
    if (rec.schema.length !== base.schema.length) {
      throw new SqlError(SqlState.syntaxError, 'each UNION query must have the same number of columns');
    }
    rec = castPlan(this.env, rec, base.schema.map((c) => c.type));
    return { kind: 'recursiveUnion', schema: base.schema, nonRecursive: base, recursive: rec, all: !!stmt.all, workTable };
  }

  private findCte(name: string): CteDef | undefined {
    for (let i = this.ctes.length - 1; i >= 0; i--) {
      const c = this.ctes[i].get(name);
      if (c) return c;
    }
    return undefined;
  }

  private bindSelectBody(stmt: RawNode, parent: Scope | null, targetTypes?: readonly SqlType[]): Plan {
    if (stmt.op && stmt.op !== 'SETOP_NONE') return this.bindSetOp(stmt, parent);
    if (stmt.valuesLists) {
      const plan = this.bindValues(stmt.valuesLists, parent, targetTypes);
      return this.bindOrderLimit(stmt, plan, new Scope(parent), false);
    }
    const scope = new Scope(parent);
    const outerTableOid = this.tableOid;
    // tables in FROM carry the hidden tableoid column only when the query names it
    this.tableOid = mentionsColumn(stmt, 'tableoid');
    let plan: Plan;
    try {
      plan = this.bindFrom(stmt.fromClause ?? [], scope);
    } finally {
      this.tableOid = outerTableOid;
    }
    if (stmt.whereClause) {
      const where = bindExpr(stmt.whereClause, scope, this.ctx('WHERE'));
      plan = { kind: 'filter', schema: plan.schema, input: plan, predicate: this.asBool(where, 'WHERE', rawPosition(stmt.whereClause)) };
    }
    return this.bindProjection(stmt, plan, scope, targetTypes);
  }

  ctx(noAggregates: string | null): ExprContext {
    return { env: this.env, noAggregates };
  }

  /** `e` as a boolean condition of `clause` (unknown literals cast; another type is 42804) */
  asBool(e: Expr, clause: string, position?: number): Expr {
    if (e.type.oid === OID.bool) return e;
    if (e.type.oid === OID.unknown) return coerce(this.env, e, T.bool, 'implicit');
    throw new SqlError(SqlState.datatypeMismatch, `argument of ${clause} must be type boolean, not type ${formatType(e.type)}`, { position });
  }

  // ---------------------------------------------------------------- FROM

  /** FROM items added to an existing scope (UPDATE … FROM, DELETE … USING). */
  bindFromItems(items: RawNode[], scope: Scope): Plan {
    return this.bindFrom(items, scope);
  }

  private bindFrom(items: RawNode[], scope: Scope): Plan {
    this.rangeTableEntries += items.length === 0 ? 1 : 0; // PostgreSQL's RTE_RESULT
    if (items.length === 0) return { kind: 'values', schema: [], rows: [[]] };
    let plan: Plan | null = null;
    for (const item of items) {
      const right = this.bindFromItem(item, scope);
      plan = plan ? { kind: 'join', schema: [...plan.schema, ...right.schema], joinType: 'inner', left: plan, right, on: null, lateral: planIsCorrelated(right), fromList: true } : right;
    }
    return plan!;
  }

  /**
   * A table read with its hidden tableoid column: each leaf partition (or the table itself)
   * scanned and tagged with its OID, appended with UNION ALL. Only for queries that name
   * tableoid, so every other scan keeps the storage rows as they are.
   */
  private scanWithTableOid(table: TableDef, cols: OutputColumn[], alias: string, scope: Scope, onlyParent: boolean, onUse: (i: number) => void): Plan {
    const oidColumn: OutputColumn = { name: 'tableoid', type: T.oid, tableOid: table.oid, attnum: -6 };
    const schema = [...cols, oidColumn];
    scope.add(alias, schema, { schema: table.schema, relname: table.name, hiddenFrom: cols.length, onUse });
    const leaves = table.kind !== 'p' ? [table] : onlyParent ? [] : leafPartitions(this.env.catalog, table);
    const tagged = leaves.map((leaf): Plan => ({
      kind: 'project', schema,
      input: { kind: 'scan', schema: cols, table: leaf, withRowId: false, filter: this.securityQual(table, ['SELECT']) },
      exprs: [...cols.map((_, i) => colRef(cols, i)), { kind: 'const', type: T.oid, value: leaf.oid }],
    }));
    if (tagged.length === 0) return { kind: 'values', schema, rows: [] };
    return tagged.reduce((left, right) => ({ kind: 'setop', schema, op: 'union', all: true, left, right }));
  }

  private bindFromItem(item: RawNode, scope: Scope): Plan {
    const plan = this.bindFromItemNode(item, scope);
    this.env.bound?.itemColumns.set(item, plan.schema.map((c) => c.name));
    return plan;
  }

  private bindFromItemNode(item: RawNode, scope: Scope): Plan {
    this.rangeTableEntries++;
    const kind = Object.keys(item)[0];
    const n = item[kind];
    switch (kind) {
      case 'RangeVar':
        return this.bindRangeVar(n, scope);
      case 'RangeSubselect': {
        // LATERAL subqueries see the FROM items to their left (level 1 is this FROM scope).
        const lateral = !!n.lateral && scope.entries.length > 0;
        const alias = n.alias?.aliasname ?? '';
        const plan = readAsSubquery(this.bindSelect(n.subquery.SelectStmt, lateral ? scope : scope.parent), alias);
        const renamed = n.alias?.colnames ? renameColumns(plan, (n.alias.colnames as RawNode[]).map((c) => c.String.sval)) : plan;
        scope.add(alias, renamed.schema);
        return renamed;
      }
      case 'RangeFunction':
        return this.bindRangeFunction(n, scope);
      case 'JoinExpr':
        return this.bindJoin(n, scope);
      case 'RangeTableSample':
        return this.bindTableSample(n, scope);
      default:
        throw new SqlError(SqlState.featureNotSupported, `FROM item ${kind} is not supported`);
    }
  }

  /**
   * t TABLESAMPLE SYSTEM | BERNOULLI (percent) [REPEATABLE (seed)] (transformRangeTableSample):
   * the table's scan as a Sample Scan; the arguments see no column of this FROM list.
   */
  private bindTableSample(n: RawNode, scope: Scope): Plan {
    const methodName = ((n.method ?? []) as RawNode[]).map((m) => m.String?.sval as string).pop() ?? '';
    const method = methodName.toLowerCase();
    if (method !== 'system' && method !== 'bernoulli') {
      throw new SqlError(SqlState.undefinedObject, `tablesample method ${methodName} does not exist`, { position: pos(n) });
    }
    const rawArgs = (n.args ?? []) as RawNode[];
    if (rawArgs.length !== 1) throw new SqlError('2202H', `tablesample method ${method} requires 1 argument, not ${rawArgs.length}`, { position: pos(n) });
    const scan = this.bindRangeVar(n.relation.RangeVar, scope);
    if (scan.kind !== 'scan' || scan.partitions || scan.table.kind === 'p') {
      throw new SqlError(SqlState.featureNotSupported, 'TABLESAMPLE clause can only be applied to tables and materialized views', { position: pos(n.relation.RangeVar) });
    }
    const argScope = new Scope(scope.parent);
    const arg = (raw: RawNode, type: SqlType) => foldNumberCast(coerce(this.env, bindExpr(raw, argScope, this.ctx('TABLESAMPLE')), type, 'assignment'));
    const sample = { method, percent: arg(rawArgs[0], T.float4), repeatable: n.repeatable ? arg(n.repeatable, T.float8) : null } as const;
    return { kind: 'sampleScan', schema: scan.schema, table: scan.table, filter: scan.filter, sample, ...(scan.alias ? { alias: scan.alias } : {}) };
  }

  private bindRangeVar(n: RawNode, scope: Scope): Plan {
    const schema: string | undefined = n.schemaname;
    const name: string = n.relname;
    const alias: string = n.alias?.aliasname ?? name;
    const colAliases = ((n.alias?.colnames ?? []) as RawNode[]).map((c) => c.String.sval as string);
    if (!schema) {
      const cte = this.findCte(name);
      if (cte) {
        if (cte.modifying === 'none') throw new SqlError(SqlState.featureNotSupported, `WITH query "${name}" does not have a RETURNING clause`, { position: pos(n) });
        cte.uses = (cte.uses ?? 0) + 1;
        const cteQuery = cte.rebind && cte.uses > 1 ? cte.rebind() : cte.plan;
        const plan: Plan = cte.workTable !== undefined
          ? { kind: 'workTableScan', schema: cte.plan.schema, workTable: cte.workTable }
          : {
            kind: 'cteScan', schema: cte.plan.schema,
            cte: { plan: cteQuery, id: cte.id, name: cte.name, ...(cte.materialized ? { materialized: cte.materialized } : {}), ...(cte.recursive ? { recursive: true } : {}), ...(cte.modifying ? { modifying: true, rowsFrom: cte.rowsFrom } : {}) },
            ...(alias !== name ? { alias } : {}),
          };
        const renamed = colAliases.length ? renameColumns(plan, colAliases) : plan;
        scope.add(alias, renamed.schema);
        return renamed;
      }
    }
    const table = this.lookupTable(schema, name, pos(n));
    const used = table ? this.noteAccess(table, 'SELECT') : undefined;
    if (table?.kind === 'v') return this.bindView(table, alias, colAliases, scope, used!);
    if (table) {
      let cols = table.columns.map((c, i) => ({ name: c.name, type: c.type, tableOid: table.oid, attnum: i + 1 }));
      if (colAliases.length) cols = cols.map((c, i) => (i < colAliases.length ? { ...c, name: colAliases[i] } : c));
      // the columns the query reads: enough with column privileges when the table's SELECT is missing
      const onUse = (i: number) => {
        if (i < table.columns.length) used!.add(i);
      };
      if (this.tableOid) return this.scanWithTableOid(table, cols, alias, scope, !n.inh, onUse);
      const aliasOf = alias !== table.name ? { alias } : {};
      scope.add(alias, cols, { schema: table.schema, relname: table.name, onUse });
      if (table.kind === 'p') {
        // ONLY parent reads the parent's own (always empty) storage
        const partitions = !n.inh ? [] : leafPartitions(this.env.catalog, table);
        return { kind: 'scan', schema: cols, table, withRowId: false, filter: this.securityQual(table, ['SELECT']), partitions, ...aliasOf };
      }
      return { kind: 'scan', schema: cols, table, withRowId: false, filter: this.securityQual(table, ['SELECT']), ...aliasOf };
    }
    const seq = schema ? this.env.catalog.findSequence(schema, name) : this.env.searchPath.map((sp) => this.env.catalog.findSequence(sp, name)).find((x) => x);
    if (seq) return this.bindSequenceRelation(seq, alias, scope);
    const rel = this.env.systemRelation(schema, name);
    if (rel) {
      let cols: OutputColumn[] = rel.columns.map((c, i) => ({ name: c.name, type: c.type, tableOid: rel.oid, attnum: i + 1 }));
      if (colAliases.length) cols = cols.map((c, i) => (i < colAliases.length ? { ...c, name: colAliases[i] } : c));
      const scan: Plan = { kind: 'systemScan', schema: cols, relation: rel };
      if (!this.tableOid) {
        scope.add(alias, cols, { schema: rel.schema });
        return scan;
      }
      // pg_dump reads every catalog's tableoid (the classid of its objects)
      const schemaWithOid = [...cols, { name: 'tableoid', type: T.oid, tableOid: rel.oid, attnum: -6 }];
      scope.add(alias, schemaWithOid, { schema: rel.schema, hiddenFrom: cols.length });
      return { kind: 'project', schema: schemaWithOid, input: scan, exprs: [...cols.map((_, i) => colRef(cols, i)), { kind: 'const', type: T.oid, value: rel.oid }] };
    }
    throw new SqlError(SqlState.undefinedTable, `relation "${schema ? schema + '.' : ''}${name}" does not exist`, { position: pos(n) });
  }

  private readonly viewsBeingBound: number[] = [];

  /**
   * A name qualified with a schema needs USAGE on it (42501), checked where the name is
   * looked up; a view's names were checked when it was created.
   */
  checkSchemaUsage(schema: string, position?: number): void {
    if (this.viewsBeingBound.length > 0 || !this.env.schemaUsable || this.env.schemaUsable(schema)) return;
    if (!this.env.catalog.schemaExists(schema)) return;
    throw new SqlError(SqlState.insufficientPrivilege, `permission denied for schema ${schema}`, position === undefined ? {} : { position });
  }

  /** A view: its query bound afresh (a subquery in FROM), columns named as the view's. */
  private bindView(view: TableDef, alias: string, colAliases: readonly string[], scope: Scope, used: Set<number>): Plan {
    if (this.viewsBeingBound.includes(view.oid)) {
      throw new SqlError(SqlState.invalidObjectDefinition, `infinite recursion detected in rules for relation "${view.name}"`);
    }
    this.viewsBeingBound.push(view.oid);
    // PostgreSQL's default owner is the bootstrap superuser (OID 10)
    this.viewOwners.push(view.owner ?? 10);
    let plan: Plan;
    try {
      // the view's query resolves names as at creation, without the caller's CTEs
      const saved = this.ctes.splice(0);
      try {
        plan = this.bindSelect((view.view!.ast as RawNode).SelectStmt, null);
      } finally {
        this.ctes.push(...saved);
      }
    } finally {
      this.viewsBeingBound.pop();
      this.viewOwners.pop();
    }
    const names = view.columns.map((c, i) => colAliases[i] ?? c.name);
    if (plan.schema.length < names.length) {
      throw new SqlError(SqlState.undefinedColumn, `view "${view.name}" no longer matches its definition`);
    }
    const exprs = view.columns.map((c, i) => coerce(this.env, colRef(plan.schema, i), c.type, 'implicit'));
    const schema = view.columns.map((c, i) => ({ name: names[i], type: c.type, tableOid: view.oid, attnum: i + 1 }));
    // a view PostgreSQL does not pull up is read through a Subquery Scan named as the FROM item
    const projected: Plan = { kind: 'project', schema, input: readAsSubquery(plan, alias), exprs };
    // the view's columns the query reads: column privileges on the view suffice for them
    scope.add(alias, schema, { schema: view.schema, relname: view.name, onUse: (i) => used.add(i) });
    return projected;
  }

  /** SELECT … FROM a sequence: its one row (last_value, log_cnt, is_called), read when the scan runs */
  private bindSequenceRelation(seq: SequenceDef, alias: string, scope: Scope): Plan {
    const relation: SystemRelation = {
      oid: seq.oid, schema: seq.schema as SystemRelation['schema'], name: seq.name,
      columns: [{ name: 'last_value', type: T.int8 }, { name: 'log_cnt', type: T.int8 }, { name: 'is_called', type: T.bool }],
      rows: () => [[seq.last, 0n, seq.isCalled]],
    };
    const cols: OutputColumn[] = relation.columns.map((c, i) => ({ name: c.name, type: c.type, tableOid: seq.oid, attnum: i + 1 }));
    scope.add(alias, cols, { schema: seq.schema, relname: seq.name });
    return { kind: 'systemScan', schema: cols, relation };
  }

  lookupTable(schema: string | undefined, name: string, position?: number): TableDef | undefined {
    if (schema) {
      this.checkSchemaUsage(schema, position);
      return this.env.catalog.findTable(schema, name);
    }
    for (const s of this.env.searchPath) {
      const t = this.env.catalog.findTable(s, name);
      if (t) return t;
    }
    return undefined;
  }

  /**
   * ROWS FROM (f1(…), f2(…)) [WITH ORDINALITY] [AS t(a, b, …)]: each function run on its own
   * and their rows zipped, the shorter ones padded with NULLs (nodeFunctionscan.c); the FROM
   * item is named by its alias or the first function's name, its columns each function's.
   */
  private bindRowsFrom(n: RawNode, scope: Scope): Plan {
    const fns = n.functions as RawNode[];
    const plans = fns.map((fn) => {
      if (fn.List.items[1]?.List?.items?.length) throw new SqlError(SqlState.featureNotSupported, 'a column definition list in ROWS FROM is not supported');
      const one = this.bindRangeFunction({ functions: [fn], lateral: n.lateral }, scope, false);
      if (one.kind !== 'functionScan') throw new SqlError(SqlState.featureNotSupported, 'SQL functions in ROWS FROM with several functions are not supported');
      return one;
    });
    const colAliases = ((n.alias?.colnames ?? []) as RawNode[]).map((c) => c.String.sval as string);
    const own = plans.flatMap((p) => p.schema);
    const all = n.ordinality ? [...own, { name: 'ordinality', type: T.int8, tableOid: 0, attnum: 0 }] : own;
    if (colAliases.length > all.length) {
      throw new SqlError(SqlState.invalidColumnReference, `table "${n.alias.aliasname}" has ${all.length} columns available but ${colAliases.length} columns specified`);
    }
    const cols = all.map((c, i) => ({ ...c, name: colAliases[i] ?? c.name }));
    const [first, ...more] = plans;
    const alias: string | undefined = n.alias?.aliasname;
    scope.add(alias ?? first.name, cols);
    return {
      kind: 'functionScan', schema: cols, name: first.name, args: first.args, withOrdinality: !!n.ordinality,
      ...(first.scalar ? { scalar: true } : {}), ...(alias ? { alias } : {}),
      rowsFrom: plans.map((p) => ({ name: p.name, args: p.args, width: p.schema.length, ...(p.scalar ? { scalar: true as const } : {}) })),
    };
  }

  private bindRangeFunction(n: RawNode, scope: Scope, addToScope = true): Plan {
    const nested = scope.entries.length > 0;
    const plan = this.bindRangeFunctionPlan(n, scope, addToScope);
    // transformRangeFunction: one whose arguments read an item to its left is LATERAL (a view's text says so)
    const args = plan.kind === 'functionScan' ? plan.rowsFrom?.flatMap((f) => f.args) ?? plan.args : plan.kind === 'sqlFunctionScan' ? plan.args : [];
    if (nested && args.some((a) => readsColumnAt(a, (level) => level === 1))) this.env.bound?.lateral.add(n);
    return plan;
  }

  private bindRangeFunctionPlan(n: RawNode, scope: Scope, addToScope: boolean): Plan {
    const fns = n.functions as RawNode[];
    if (fns.length !== 1) return this.bindRowsFrom(n, scope);
    const callNode = fns[0].List.items[0] as RawNode;
    const call = callNode.FuncCall;
    // Functions in FROM are implicitly LATERAL: with items to their left, their arguments
    // are bound one level down so they can refer to those items' columns.
    const argScope = scope.entries.length > 0 ? new Scope(scope) : scope;
    const fname = call ? (call.funcname as RawNode[]).map((x) => x.String.sval as string).pop()!.toLowerCase() : figureColname(callNode);
    const alias: string | undefined = n.alias?.aliasname;
    const colAliases = ((n.alias?.colnames ?? []) as RawNode[]).map((c) => c.String.sval as string);
    const ordinality = (cols: OutputColumn[]): OutputColumn[] =>
      n.ordinality ? [...cols, { name: colAliases[cols.length] ?? 'ordinality', type: T.int8, tableOid: 0, attnum: 0 }] : cols;
    const qualifier = call ? (call.funcname as RawNode[]).map((x) => x.String.sval as string).slice(0, -1).pop() : undefined;
    if (qualifier) this.checkSchemaUsage(qualifier, pos(call));
    const userFn = call && !call.over ? findSqlFunction(this.env.catalog, fname, (call.args ?? []).length, qualifier ? [qualifier] : functionPath(this.env.searchPath)) : undefined;
    if (userFn && call) {
      this.noteFunction(userFn);
      const args = ((call.args ?? []) as RawNode[]).map((a) => bindExpr(a, argScope, this.ctx('functions in FROM')));
      const body = bindFunctionBody(this, userFn);
      const cols = ordinality(functionColumns(userFn, alias, colAliases));
      if (addToScope) scope.add(alias ?? fname, cols);
      const plan: Plan = { kind: 'sqlFunctionScan', schema: cols.slice(0, body.schema.length), name: fname, args: bindFunctionArgs(this.env, userFn, args), body };
      if (n.ordinality) throw new SqlError(SqlState.featureNotSupported, 'WITH ORDINALITY on SQL functions is not supported');
      return plan;
    }
    if (call && isSetReturning(fname) && !call.over) {
      const ctx = this.ctx('functions in FROM');
      const rawArgs = (call.args ?? []) as RawNode[];
      const args = rawArgs.some((a) => a.NamedArgExpr) ? bindNamedArgs(fname, rawArgs, argScope, ctx, pos(call)) : rawArgs.map((a) => bindExpr(a, argScope, ctx));
      const sig = bindSetFunction(this.env, fname, args, pos(call), true);
      // a function returning a composite type: one column per attribute (unnest(composite[]) in FROM)
      const rowFields = sig.columns.length === 1 && TYPES.get(sig.columns[0].type.oid)?.category === 'C' ? recordFields(sig.columns[0].type) : undefined;
      if (rowFields) {
        const inner = ordinality([{ name: fname, type: sig.columns[0].type, tableOid: 0, attnum: 0 }]);
        const scan: Plan = { kind: 'functionScan', schema: inner, name: fname, args: sig.args, withOrdinality: !!n.ordinality, ...(alias ? { alias } : {}) };
        const cols = ordinality(rowFields.map((f, i) => ({ name: colAliases[i] ?? f.name, type: f.type, tableOid: 0, attnum: 0 })));
        scope.add(alias ?? fname, cols);
        const exprs: Expr[] = rowFields.map((f, i): Expr => ({ kind: 'field', type: f.type, arg: colRef(inner, 0), index: i }));
        if (n.ordinality) exprs.push(colRef(inner, 1));
        return { kind: 'project', schema: cols, input: scan, exprs };
      }
      const cols = ordinality(sig.columns.map((c, i) => ({
        name: colAliases[i] ?? (sig.namedColumns ? c.name : alias ?? fname), type: c.type, tableOid: 0, attnum: 0,
      })));
      if (addToScope) scope.add(alias ?? fname, cols);
      return { kind: 'functionScan', schema: cols, name: fname, args: sig.args, withOrdinality: !!n.ordinality, ...(alias ? { alias } : {}) };
    }
    // Any other function is a one-row relation with one column (SELECT * FROM current_schema()).
    const e = resolveUnknown(this.env, bindExpr(callNode, argScope, this.ctx('functions in FROM')));
    const cols = ordinality([{ name: colAliases[0] ?? alias ?? fname, type: e.type, tableOid: 0, attnum: 0 }]);
    if (addToScope) scope.add(alias ?? fname, cols);
    return { kind: 'functionScan', schema: cols, name: fname, args: [e], withOrdinality: !!n.ordinality, scalar: true, ...(alias ? { alias } : {}) };
  }

  private bindJoin(n: RawNode, scope: Scope): Plan {
    // Column indexes in the scope count from the start of the whole FROM row; this join's
    // own rows start at `base` (after the comma-separated items to its left).
    const base = scope.width;
    const firstEntry = scope.entries.length;
    const bindInputs = () => {
      const l = this.bindFromItem(n.larg, scope);
      const entries = scope.entries.length;
      return { l, entries, r: this.bindFromItem(n.rarg, scope) };
    };
    const { l: left, entries: leftEntries, r: right } = n.alias ? scope.insideAliasedJoin(firstEntry, bindInputs) : bindInputs();
    const joinType = ({ JOIN_INNER: 'inner', JOIN_LEFT: 'left', JOIN_RIGHT: 'right', JOIN_FULL: 'full' } as const)[n.jointype as string];
    if (!joinType) throw new SqlError(SqlState.featureNotSupported, `join type ${n.jointype} is not supported`);
    let on: Expr | null = null;
    let using: string[] = ((n.usingClause ?? []) as RawNode[]).map((u) => u.String.sval as string);
    // the join's output columns on each side: a USING join below shows its merged ones once
    const leftStar = scope.starColumns(firstEntry, leftEntries);
    const rightStar = scope.starColumns(leftEntries, scope.entries.length);
    if (n.isNatural) {
      const rightNames = new Set(rightStar.map((c) => c.name));
      using = [...new Set(leftStar.map((c) => c.name).filter((c) => rightNames.has(c)))];
      this.env.bound?.using.set(n, using);
    }
    let columns = [...leftStar, ...rightStar];
    if (using.length) {
      const joined = this.bindUsing(using, joinType, base, leftStar, rightStar, scope);
      on = joined.on;
      columns = [...joined.merged, ...leftStar, ...rightStar];
      scope.addJoin('', columns, firstEntry);
      if (n.join_using_alias) scope.addJoin(n.join_using_alias.aliasname as string, joined.merged, firstEntry, { usingAlias: true });
    } else if (n.quals) {
      const bound = this.asBool(bindExpr(n.quals, scope, this.ctx('JOIN conditions')), 'JOIN/ON', rawPosition(n.quals));
      on = base === 0 ? bound : mapExpr(bound, (x) => {
        if (x.kind !== 'column' || x.level !== 0) return undefined;
        if (x.index < base) {
          throw new SqlError(SqlState.undefinedTable, `invalid reference to FROM-clause entry for table "${x.table ?? ''}"`, {
            position: x.position, hint: `There is an entry for table "${x.table ?? ''}", but it cannot be referenced from this part of the query.`,
          });
        }
        return { ...x, index: x.index - base };
      });
    }
    if (n.alias) this.aliasJoin(n, columns, firstEntry, scope);
    return joinPlan(joinType, left, right, on, planIsCorrelated(right));
  }

  /**
   * `(a JOIN b …) AS x [(c1, c2, …)]`: one entry named x over the join's output columns,
   * the first ones renamed by the column aliases, hiding a and b (and any USING alias
   * inside) from the rest of the query.
   */
  private aliasJoin(join: RawNode, columns: readonly StarColumn[], firstEntry: number, scope: Scope): void {
    const alias = join.alias as RawNode;
    const name = alias.aliasname as string;
    const colNames = ((alias.colnames ?? []) as RawNode[]).map((c) => c.String.sval as string);
    if (colNames.length > columns.length) {
      throw new SqlError(SqlState.invalidColumnReference, `join expression "${name}" has ${columns.length} columns available but ${colNames.length} columns specified`);
    }
    const named = columns.map((c, i) => (i < colNames.length ? { ...c, name: colNames[i]! } : c));
    // a view's text names each column j.x (unique within j: make_colname_unique's a_1)
    const printed = uniqueColumnNames(named.map((c) => c.name));
    this.env.bound?.joinColumns.set(join, { names: printed, print: colNames.length > 0 || printed.some((p, i) => p !== named[i]!.name) });
    const marked = named.map((c, i) => (c.expr.kind === 'column' ? { ...c, expr: { ...c.expr, joinAlias: { alias: name, name: printed[i]! } } } : c));
    scope.addJoin(name, marked, firstEntry);
  }

  /**
   * JOIN … USING (names) / NATURAL JOIN: the join condition (indexes relative to the join's
   * row), each name merged into one column for unqualified references and `*` —
   * buildMergedJoinVar's left value, the right one for a RIGHT JOIN, COALESCE of both for a
   * FULL JOIN — and taken out of both sides' star columns (`leftStar`, `rightStar`).
   */
  private bindUsing(using: readonly string[], joinType: 'inner' | 'left' | 'right' | 'full', base: number, leftStar: StarColumn[], rightStar: StarColumn[], scope: Scope): { on: Expr; merged: StarColumn[] } {
    const tests: Expr[] = [];
    const merged: StarColumn[] = [];
    const relative = (e: Expr): Expr => (base === 0 ? e : mapExpr(e, (x) => (x.kind === 'column' && x.level === 0 ? { ...x, index: x.index - base } : undefined)));
    const take = (star: StarColumn[], name: string, side: 'left' | 'right'): StarColumn => {
      const at = star.findIndex((c) => c.name === name);
      if (at < 0) throw new SqlError(SqlState.undefinedColumn, `column "${name}" specified in USING clause does not exist in ${side} table`);
      if (star.findIndex((c, k) => k > at && c.name === name) >= 0) throw new SqlError(SqlState.ambiguousColumn, `common column name "${name}" appears more than once in ${side} table`);
      return star.splice(at, 1)[0]!;
    };
    for (const name of using) {
      const l = take(leftStar, name, 'left');
      const r = take(rightStar, name, 'right');
      tests.push(bindEq(this.env, relative(l.expr), relative(r.expr)));
      for (const at of [...l.reads, ...r.reads]) scope.noteUse(at);
      let column: StarColumn;
      if (joinType === 'full') {
        const type = commonType([l.expr.type, r.expr.type], 'JOIN/USING');
        const expr = { kind: 'coalesce', type, args: [coerce(this.env, l.expr, type, 'implicit'), coerce(this.env, r.expr, type, 'implicit')] } as Expr;
        column = { name, expr, reads: [...l.reads, ...r.reads] };
      } else column = { ...(joinType === 'right' ? r : l), name };
      merged.push(column);
    }
    return { on: tests.length === 1 ? tests[0]! : { kind: 'and', type: T.bool, args: tests }, merged };
  }

  // ---------------------------------------------------------------- VALUES

  private bindValues(lists: RawNode[], parent: Scope | null, targetTypes?: readonly SqlType[]): Plan {
    this.rangeTableEntries++;
    const scope = new Scope(parent);
    const rows = lists.map((l) => ((l.List.items ?? []) as RawNode[]).map((item) =>
      item.SetToDefault ? ({ kind: 'const', type: T.unknown, value: DEFAULT_MARKER } as unknown as Expr) : bindExpr(item, scope, this.ctx('VALUES'))));
    const width = rows[0].length;
    for (const r of rows) {
      if (r.length !== width) throw new SqlError(SqlState.syntaxError, 'VALUES lists must all be the same length', { position: pos(lists[0]) });
    }
    const types: SqlType[] = [];
    for (let c = 0; c < width; c++) {
      const colTypes = rows.map((r) => r[c]).filter((e) => !isDefaultMarker(e)).map((e) => e.type);
      if (targetTypes && targetTypes[c] && colTypes.every((t) => t.oid === OID.unknown)) types.push(targetTypes[c]);
      else types.push(colTypes.length ? commonType(colTypes, 'VALUES') : T.text);
    }
    const typed = rows.map((r) => r.map((e, c) => (isDefaultMarker(e) ? e : coerce(this.env, e, types[c], 'implicit'))));
    this.env.bound?.values.set(lists, typed);
    const schema = types.map((t, i) => ({ name: `column${i + 1}`, type: t, tableOid: 0, attnum: 0 }));
    return { kind: 'values', schema, rows: typed };
  }

  // ---------------------------------------------------------------- set operations

  private bindSetOp(stmt: RawNode, parent: Scope | null): Plan {
    const op = ({ SETOP_UNION: 'union', SETOP_INTERSECT: 'intersect', SETOP_EXCEPT: 'except' } as const)[stmt.op as string]!;
    let left = this.bindSetOperand(stmt.larg, parent);
    let right = this.bindSetOperand(stmt.rarg, parent);
    if (left.schema.length !== right.schema.length) {
      throw new SqlError(SqlState.syntaxError, `each ${op.toUpperCase()} query must have the same number of columns`);
    }
    // select_common_type per column: an untyped literal takes the other side's type, all-unknown is text
    const types = left.schema.map((c, i) => {
      try {
        return commonType([c.type, right.schema[i].type], op.toUpperCase());
      } catch (e) {
        throw e instanceof SqlError ? e.withPosition(targetPosition(stmt.rarg, i)) : e;
      }
    });
    left = castSetOperand(this.env, left, types);
    right = castSetOperand(this.env, right, types);
    // no statistics reach above a set operation (examine_simple_variable punts on a subquery's
    // setOperations, and on a UNION ALL appendrel's parent): its columns come from no table
    const schema = left.schema.map((c, i) => ({ ...c, type: types[i], tableOid: 0, attnum: 0 }));
    const plan: Plan = { kind: 'setop', schema, op, all: !!stmt.all, left, right };
    return this.bindOrderLimit(stmt, plan, new Scope(parent), true);
  }

  /**
   * A plain SELECT operand keeps its untyped literals unknown: the set operation types them.
   * ORDER BY, DISTINCT or GROUP BY inside the operand resolve them to text first (PostgreSQL
   * does so for the outputs they sort or group by; here for all of them).
   */
  private bindSetOperand(stmt: RawNode, parent: Scope | null): Plan {
    const sortsOrGroups = !!(stmt.sortClause?.length || stmt.groupClause?.length || (stmt.distinctClause?.length && !Object.keys(stmt.distinctClause[0] ?? {}).length));
    const plain = !stmt.valuesLists && (!stmt.op || stmt.op === 'SETOP_NONE') && !sortsOrGroups;
    return this.bindSelect(stmt, parent, plain ? (stmt.targetList ?? []).map(() => T.unknown) : undefined);
  }

  // ---------------------------------------------------------------- select list, grouping, ordering

  private bindProjection(stmt: RawNode, input: Plan, scope: Scope, targetTypes?: readonly SqlType[]): Plan {
    const windowDefs = windowDefinitions(stmt.windowClause as RawNode[] | undefined);
    // Set-returning functions in the select list run in a ProjectSet below the projection;
    // the select list refers to its extra output columns (hidden scope entries).
    const srfs: { name: string; args: Expr[]; type: SqlType; record?: boolean; plan?: Plan }[] = [];
    const ctx: ExprContext = {
      ...this.ctx(null), allowWindow: true, windowDefs, windowClauses: [],
      srf: (name, args, position) => {
        const userFn = findSqlFunction(this.env.catalog, name, args.length, functionPath(this.env.searchPath));
        if (userFn && userFn.returns.kind !== 'scalar') {
          this.noteFunction(userFn);
          const cols = functionColumns(userFn, undefined, []);
          const record = cols.length > 1;
          const type = record ? recordType(cols) : cols[0].type;
          const entry = scope.add('', [{ name: `\u0000${name}`, type, tableOid: 0, attnum: 0 }], { hiddenFrom: 0 });
          srfs.push({ name, args: bindFunctionArgs(this.env, userFn, args), type, record, plan: bindFunctionBody(this, userFn) });
          return { kind: 'column', type, level: 0, index: entry.offset, name };
        }
        const sig = bindSetFunction(this.env, name, args, position);
        const record = sig.columns.length > 1;
        const type = record ? recordType(sig.columns) : sig.columns[0].type;
        const entry = scope.add('', [{ name: `\u0000${name}`, type, tableOid: 0, attnum: 0 }], { hiddenFrom: 0 });
        srfs.push({ name, args: sig.args, type, record });
        return { kind: 'column', type, level: 0, index: entry.offset, name };
      },
    };
    // 1. the select list, * expanded
    const targets: SelectTarget[] = [];
    for (const t of (stmt.targetList ?? []) as RawNode[]) {
      const rt = t.ResTarget;
      const val = rt.val;
      const star = val.ColumnRef && val.ColumnRef.fields[val.ColumnRef.fields.length - 1].A_Star;
      if (star) {
        const qual = val.ColumnRef.fields.slice(0, -1).map((f: RawNode) => f.String.sval as string);
        const entries = qual.length ? [scope.findEntry(qual[qual.length - 1])] : scope.entries;
        if (qual.length && !entries[0]) scope.missingEntry(qual[qual.length - 1], pos(val.ColumnRef));
        if (!qual.length && scope.entries.length === 0) {
          throw new SqlError(SqlState.syntaxError, 'SELECT * with no tables specified is not valid', { position: pos(val.ColumnRef) });
        }
        // unqualified: every FROM item, a USING join's merged columns once; qualified: that entry's
        const columns = qual.length ? scope.entryColumns(entries[0]!) : scope.starColumns();
        for (const c of columns) {
          for (const at of c.reads) scope.noteUse(at);
          targets.push({ name: c.name, expr: c.expr, source: c.source });
        }
        this.env.bound?.stars.set(t, columns);
        continue;
      }
      const ind = val.A_Indirection?.indirection as RawNode[] | undefined;
      if (ind && ind.length > 0 && ind[ind.length - 1].A_Star) {
        // (composite).*: one output column per field
        const inner = ind.length === 1 ? val.A_Indirection.arg : { A_Indirection: { ...val.A_Indirection, indirection: ind.slice(0, -1) } };
        const row = bindExpr(inner, scope, ctx);
        const fields = recordFields(row.type);
        if (!fields) {
          if (row.type.oid === OID.record) throw new SqlError(SqlState.featureNotSupported, 'record type has not been registered', { position: rawPosition(inner) });
          throw new SqlError(SqlState.wrongObjectType, `type ${formatType(row.type)} is not composite`, { position: rawPosition(inner) });
        }
        fields.forEach((f, i) => targets.push({ name: f.name, expr: row.kind === 'array' ? row.elems[i]! : { kind: 'field', type: f.type, arg: row, index: i } }));
        continue;
      }
      const expr = bindExpr(val, scope, ctx);
      const source = expr.kind === 'column' && expr.level === 0 ? input.schema[expr.index] : undefined;
      targets.push({ name: rt.name ?? figureColname(val), expr, source, raw: val });
    }
    // Unknown literals in the output become text (or the INSERT target's type).
    targets.forEach((t, i) => {
      if (t.expr.type.oid === OID.unknown) t.expr = coerce(this.env, t.expr, targetTypes?.[i] ?? T.text, 'implicit');
    });
    // WINDOW definitions are checked (and their $n counted) even when no OVER uses them
    for (const spec of windowDefs.values()) bindWindowSpec(spec, scope, { ...ctx, allowWindow: false, srf: undefined, noWindows: 'window definitions' });

    // 2. GROUP BY, HAVING, ORDER BY expressions (ORDER BY may name output columns)
    const groupItems = (stmt.groupClause ?? []) as RawNode[];
    const { groupBy, groupingSets } = this.bindGroupBy(stmt, groupItems, scope, targets);
    const explicitGrouping = groupItems.length > 0;
    const havingCtx = refuseSrfs(ctx, 'set-returning functions are not allowed in HAVING', null);
    const having = stmt.havingClause ? this.asBool(bindExpr(stmt.havingClause, scope, havingCtx), 'HAVING', rawPosition(stmt.havingClause)) : null;
    const sortItems = ((stmt.sortClause ?? []) as RawNode[]).map((s) => {
      const sb = s.SortBy;
      const { desc, nullsFirst } = sortDirection(sb);
      return { expr: this.bindGroupOrOrderItem(sb.node, scope, targets, 'ORDER BY', ctx), desc, nullsFirst };
    });
    const distinctClause = stmt.distinctClause as RawNode[] | undefined;
    const isPlainDistinct = !distinctClause || distinctClause.length === 0 || (distinctClause.length === 1 && Object.keys(distinctClause[0]).length === 0);
    const distinctOn: Expr[] = isPlainDistinct ? [] : distinctClause.map((d) => this.bindGroupOrOrderItem(d, scope, targets, 'DISTINCT ON', ctx));

    // findTargetlistEntrySQL99: an ORDER BY / DISTINCT ON expression equal to a select-list entry
    // (or to an earlier hidden one) is that entry; any other becomes a hidden entry. Matched
    // before aggregates and window functions become columns, so `count(*) % 3` written twice
    // (or named by its alias) is one entry, as in PostgreSQL.
    // Bound subqueries and set-returning calls differ each time they are bound: such entries
    // also match when written alike (equal parse trees at this query level bind alike).
    let exprs = targets.map((t) => t.expr);
    const matching = sortItems.length > 0 || distinctOn.length > 0; // keys only when needed (hot path: no ORDER BY)
    const entryKeys = matching ? exprs.map(exprKey) : [];
    const rawKeys = matching ? targets.map((t) => rawKey(t.raw)) : [];
    const entryFor = (e: Expr, raw: RawNode): number => {
      const key = exprKey(e);
      const written = rawKey(raw);
      const found = entryKeys.findIndex((k, i) => k === key || (written !== undefined && rawKeys[i] === written));
      if (found >= 0) return found;
      exprs.push(e);
      entryKeys.push(key);
      rawKeys.push(written);
      return exprs.length - 1;
    };
    const sortCols = sortItems.map((s, i) => entryFor(s.expr, (stmt.sortClause as RawNode[])[i].SortBy.node));
    if (distinctClause && isPlainDistinct) {
      const hidden = sortCols.findIndex((c) => c >= targets.length);
      if (hidden >= 0) {
        const at = leftmostPosition((stmt.sortClause as RawNode[])[hidden].SortBy.node);
        throw new SqlError(SqlState.invalidColumnReference, 'for SELECT DISTINCT, ORDER BY expressions must appear in select list', { position: at });
      }
    }
    const distinctOnColumns = distinctOn.map((e, i) => entryFor(e, distinctClause![i]));
    if (distinctOn.length) checkDistinctOnOrder(distinctOnColumns, sortCols, distinctClause!.map((d) => leftmostPosition(d)));

    // The set-returning calls run in a ProjectSet above the aggregation and the window functions,
    // as PostgreSQL's: `count(*), unnest(…)` and `unnest(array_agg(x))` take grouped rows, and a
    // window sees the rows before they are multiplied. Until that node is placed, the select
    // list refers to each call's output by a marker (srfMarker) instead of a column number.
    const srfBase = input.schema.length;
    const markSrfs = (e: Expr): Expr => mapThroughWindows(e, (x) => (x.kind === 'column' && x.level === 0 && x.index >= srfBase ? srfMarker(x.index - srfBase, x) : undefined));
    let srfArgs = srfs.map((f) => f.args.map(markSrfs));
    let groupKeys = groupBy;
    if (srfs.length) {
      exprs = exprs.map(markSrfs);
      groupKeys = groupBy.map(markSrfs);
    }
    let plan = input;
    // One ProjectSet per depth of nesting, as PostgreSQL's (`generate_series(1,
    // generate_series(1, 3))` runs the inner call in the lower one; calls at one depth
    // advance in step); the markers become the columns.
    const placeSrfs = (): void => {
      const depth: number[] = [];
      srfArgs.forEach((args, j) => {
        let d = 0;
        for (const a of args) {
          mapExpr(a, (x) => {
            const inner = srfMarkerIndex(x);
            if (inner !== undefined) d = Math.max(d, depth[inner]! + 1);
            return undefined;
          });
        }
        depth[j] = d; // an argument's call was registered before the call that takes it
      });
      const at: number[] = [];
      const unmark = (e: Expr): Expr => mapThroughWindows(e, (x) => {
        const j = srfMarkerIndex(x);
        return j === undefined ? undefined : { kind: 'column', type: x.type, level: 0, index: at[j]!, name: (x as { name: string }).name };
      });
      for (let d = 0; d <= Math.max(...depth); d++) {
        const level = srfs.map((f, j) => ({ f, j })).filter(({ j }) => depth[j] === d);
        const args = level.map(({ j }) => srfArgs[j]!.map(unmark));
        level.forEach(({ j }, i) => { at[j] = plan.schema.length + i; });
        const schema = [...plan.schema, ...level.map(({ f }) => ({ name: f.name, type: f.type, tableOid: 0, attnum: 0 }))];
        plan = { kind: 'projectSet', schema, input: plan, exprs: [], srfs: level.map(({ f }, i) => ({ ...f, args: args[i]! })) };
      }
      exprs = exprs.map(unmark);
      groupKeys = groupKeys.map(unmark);
    };
    // a call GROUP BY or a window's PARTITION BY / ORDER BY uses runs below them (PostgreSQL
    // evaluates such keys first), the select list's others above
    const srfsFirst = srfs.length > 0 && (groupKeys.some(hasSrfMarker) || exprs.some(windowKeysHaveSrfMarker));
    if (srfsFirst) placeSrfs();

    // 3. aggregation
    const aggregated = explicitGrouping || having !== null || exprs.some(containsAgg) || srfArgs.some((a) => a.some(containsAgg));
    if (aggregated) {
      const groupExprs = groupKeys.map((g) => resolveUnknown(this.env, g));
      const aggs: AggregateCall[] = [];
      const rewrite = (e: Expr) => rewriteForAggregate(e, groupExprs, aggs);
      // select list, HAVING, then hidden entries: the aggregate's call order
      const shown = exprs.slice(0, targets.length).map(rewrite);
      const havingR = having ? rewrite(having) : null;
      exprs = [...shown, ...exprs.slice(targets.length).map(rewrite)];
      srfArgs = srfArgs.map((args) => args.map(rewrite));
      const schema: OutputColumn[] = [
        ...groupExprs.map((g, i) => ({ name: `group${i}`, type: g.type, tableOid: 0, attnum: 0 })),
        ...aggs.map((a) => ({ name: a.name, type: a.type, tableOid: 0, attnum: 0 })),
      ];
      plan = { kind: 'aggregate', schema, input: plan, groupBy: groupExprs, aggs, ...(groupingSets ? { groupingSets } : {}) };
      if (havingR) plan = { kind: 'filter', schema, input: plan, predicate: havingR };
    }

    // 3b. window functions: computed over the (grouped) rows, appended as extra columns
    const windows: Extract<Expr, { kind: 'window' }>[] = [];
    // a window call written twice (the select list's, again in ORDER BY) is computed once, as PostgreSQL shares equal WindowFuncs
    const windowKeys: string[] = [];
    const pullWindows = (e: Expr): Expr => mapExpr(e, (x) => {
      if (x.kind !== 'window') return undefined;
      const i = internExpr(windows, windowKeys, x);
      return { kind: 'column', type: x.type, level: 0, index: plan.schema.length + i, name: x.name };
    });
    exprs = exprs.map(pullWindows);
    srfArgs = srfArgs.map((args) => args.map(pullWindows));
    if (windows.length) {
      const schema = [...plan.schema, ...windows.map((w) => ({ name: w.name, type: w.type, tableOid: 0, attnum: 0 }))];
      // the expressions PostgreSQL's parser numbers (tleSortGroupRef) before the windows' keys:
      // ORDER BY's, GROUP BY's, DISTINCT's; the planner orders window clauses by those numbers
      const grouped: Expr[] = aggregated ? groupBy.map((g, i) => ({ kind: 'column', type: g.type, level: 0, index: i, name: '' })) : [];
      const shownExprs = exprs.slice(0, targets.length);
      const distinctItems = stmt.distinctClause ? (distinctOn.length ? distinctOnColumns.map((c) => exprs[c]!) : shownExprs) : [];
      const sortGroupExprs = [...sortCols.map((c) => exprs[c]!), ...grouped, ...distinctItems];
      plan = { kind: 'window', schema, input: plan, fns: windows, sortGroupExprs };
    }

    // 3c. the set-returning calls after the aggregation and the windows
    if (srfs.length && !srfsFirst) placeSrfs();

    // 4. project the select list plus hidden sort / DISTINCT ON columns
    const distinct = distinctClause;
    exprs = exprs.map((e, i) => (i < targets.length ? e : resolveUnknown(this.env, e)));
    const finalSort = sortItems;
    const schema: OutputColumn[] = exprs.map((e, i) => {
      const t = targets[i];
      return t
        ? { name: t.name, type: e.type, tableOid: t.source?.tableOid ?? 0, attnum: t.source?.attnum ?? 0 }
        : { name: `?sort${i}`, type: e.type, tableOid: 0, attnum: 0 };
    });
    plan = { kind: 'project', schema, input: plan, exprs };

    // 5. DISTINCT [ON]
    if (distinct) {
      const isPlain = distinct.length === 0 || (distinct.length === 1 && Object.keys(distinct[0]).length === 0);
      if (isPlain) {
        plan = { kind: 'distinct', schema, input: plan, on: null };
      } else {
        const on = distinctOnColumns.map((i) => ({ kind: 'column', type: exprs[i].type, level: 0, index: i, name: '' }) as Expr);
        // DISTINCT ON keeps the first row per key in ORDER BY order: sort first, by the ORDER BY
        // or, without one, by the DISTINCT ON keys, as PostgreSQL's Unique over a Sort; the
        // Unique keeps that order, so the ORDER BY needs no Sort after it
        // (the DISTINCT ON keys an ORDER BY leaves out follow it)
        const keys: SortKey[] = [
          ...sortCols.map((c, i) => ({ expr: colRef(schema, c), desc: finalSort[i].desc, nullsFirst: finalSort[i].nullsFirst })),
          ...distinctOnColumns.filter((c) => !sortCols.includes(c)).map((c) => ({ expr: colRef(schema, c), desc: false, nullsFirst: false })),
        ];
        plan = { kind: 'sort', schema, input: plan, keys };
        plan = { kind: 'distinct', schema, input: plan, on };
      }
    }

    // 6. ORDER BY (done by DISTINCT ON's Sort), LIMIT/OFFSET, then drop hidden columns
    const sortedBelow = plan.kind === 'distinct' && plan.on !== null;
    const keys: SortKey[] = sortedBelow ? [] : sortCols.map((c, i) => ({ expr: colRef(schema, c), desc: finalSort[i].desc, nullsFirst: finalSort[i].nullsFirst }));
    plan = this.applyOrderLimit(stmt, plan, keys, scope);
    if (exprs.length > targets.length) {
      const visible = schema.slice(0, targets.length);
      plan = { kind: 'project', schema: visible, input: plan, exprs: visible.map((c, i) => colRef(schema, i)) };
    }
    return plan;
  }

  /**
   * GROUP BY's expressions, each once, and — when it names grouping sets (ROLLUP, CUBE,
   * GROUPING SETS) — each set as their numbers. One set is a plain GROUP BY.
   */
  private bindGroupBy(stmt: RawNode, items: RawNode[], scope: Scope, targets: SelectTarget[]): { groupBy: Expr[]; groupingSets?: number[][] } {
    const bindItem = (g: RawNode) => this.bindGroupOrOrderItem(g, scope, targets, 'GROUP BY');
    if (!hasGroupingSets(items)) return { groupBy: items.map(bindItem) };
    const groupBy: Expr[] = [];
    const keys: string[] = [];
    const numberOf = (g: RawNode): number => internExpr(groupBy, keys, bindItem(g));
    let sets = expandGroupingSets(items).map((set) => [...new Set(set.map(numberOf))]);
    if (stmt.groupDistinct) sets = uniqueSets(sets);
    if (sets.length === 1) return { groupBy: sets[0].map((i) => groupBy[i]) };
    return { groupBy, groupingSets: sets };
  }

  /**
   * PostgreSQL's findTargetlistEntrySQL92: a GROUP BY / ORDER BY / DISTINCT ON item may be an
   * output column number or a bare output column name (GROUP BY prefers an input column of
   * that name); anything else is an expression (matched against the select list later).
   */
  private bindGroupOrOrderItem(node: RawNode, scope: Scope, targets: SelectTarget[], clause: string, orderCtx?: ExprContext): Expr {
    const e = this.bindGroupOrOrderItemNode(node, scope, targets, clause, orderCtx);
    return this.env.bound ? noteBound(this.env, node, e) : e;
  }

  private bindGroupOrOrderItemNode(node: RawNode, scope: Scope, targets: SelectTarget[], clause: string, orderCtx?: ExprContext): Expr {
    const ctx = clause === 'GROUP BY' ? this.ctx(clause) : orderCtx ?? this.ctx(null);
    if (node.A_Const) {
      const c = node.A_Const;
      const integer = c.ival !== undefined || (c.fval === undefined && c.sval === undefined && !c.isnull && c.boolval === undefined && c.bsval === undefined);
      if (!integer) throw new SqlError(SqlState.syntaxError, `non-integer constant in ${clause}`, { position: pos(c) });
      const n = c.ival?.ival ?? 0;
      if (n < 1 || n > targets.length) {
        throw new SqlError(SqlState.invalidColumnReference, `${clause} position ${n} is not in select list`, { position: pos(c) });
      }
      return this.checkGroupTarget(targets[n - 1], scope, clause);
    }
    if (node.ColumnRef && node.ColumnRef.fields.length === 1 && node.ColumnRef.fields[0].String) {
      const name = node.ColumnRef.fields[0].String.sval;
      const matches = targets.filter((t) => t.name === name);
      const match = (): SelectTarget => {
        if (matches.some((t) => exprKey(t.expr) !== exprKey(matches[0].expr))) {
          throw new SqlError(SqlState.ambiguousColumn, `${clause} "${name}" is ambiguous`, { position: pos(node.ColumnRef) });
        }
        return matches[0];
      };
      if (matches.length && clause !== 'GROUP BY') return match().expr;
      if (matches.length) {
        // GROUP BY prefers an input column of that name
        try {
          return bindExpr(node, scope, ctx);
        } catch (e) {
          if (!(e instanceof SqlError) || e.code !== SqlState.undefinedColumn) throw e;
          return this.checkGroupTarget(match(), scope, clause);
        }
      }
    }
    return bindExpr(node, scope, ctx);
  }

  /** checkTargetlistEntrySQL92: a GROUP BY item naming a select-list entry may not hold aggregates or window functions. */
  private checkGroupTarget(target: SelectTarget, scope: Scope, clause: string): Expr {
    if (clause === 'GROUP BY' && target.raw && (containsAgg(target.expr) || containsWindow(target.expr))) {
      // binding the entry as a GROUP BY expression raises PostgreSQL's error at the call
      bindExpr(target.raw, scope, this.ctx(clause));
    }
    return target.expr;
  }

  private bindOrderLimit(stmt: RawNode, plan: Plan, scope: Scope, setOperation: boolean): Plan {
    const targets = plan.schema.map((c, i) => ({ name: c.name, expr: colRef(plan.schema, i) }));
    const keys: SortKey[] = ((stmt.sortClause ?? []) as RawNode[]).map((s) => {
      const sb = s.SortBy;
      const { desc, nullsFirst } = sortDirection(sb);
      const outputScope = new Scope(scope.parent);
      outputScope.add('', plan.schema);
      const expr = this.bindGroupOrOrderItem(sb.node, outputScope, targets, 'ORDER BY');
      // transformSetOperationStmt: a set operation sorts by its result columns only
      if (setOperation && !isOutputColumn(expr)) {
        throw new SqlError(SqlState.featureNotSupported, 'invalid UNION/INTERSECT/EXCEPT ORDER BY clause', {
          position: leftmostPosition(sb.node),
          detail: 'Only result column names can be used, not expressions or functions.',
          hint: 'Add the expression/function to every SELECT, or move the UNION into a FROM clause.',
        });
      }
      return { expr, desc, nullsFirst };
    });
    return this.applyOrderLimit(stmt, plan, keys, scope);
  }

  private applyOrderLimit(stmt: RawNode, plan: Plan, keys: SortKey[], scope: Scope): Plan {
    if (keys.length) plan = { kind: 'sort', schema: plan.schema, input: plan, keys };
    const limitScope = new Scope(scope.parent);
    const bindCount = (n: RawNode | undefined, what: string): Expr | null => {
      if (!n) return null;
      const e = bindExpr(n, limitScope, this.ctx(what));
      if (e.kind === 'const' && e.value === null) return null; // LIMIT NULL / LIMIT ALL
      return coerce(this.env, e, T.int8, 'implicit');
    };
    const offset = bindCount(stmt.limitOffset, 'OFFSET');
    if (stmt.limitOption === 'LIMIT_OPTION_WITH_TIES' && stmt.limitCount) {
      // the grammar refused it without ORDER BY (42P20); a NULL count is refused when run, as nodeLimit.c does
      const e = bindExpr(stmt.limitCount, limitScope, this.ctx('LIMIT'));
      const limit = coerce(this.env, e, T.int8, 'implicit');
      return { kind: 'limit', schema: plan.schema, input: plan, limit, offset, withTies: keys };
    }
    const limit = bindCount(stmt.limitCount, 'LIMIT');
    if (limit || offset) plan = { kind: 'limit', schema: plan.schema, input: plan, limit, offset };
    if (stmt.lockingClause) {
      // FOR UPDATE / FOR SHARE: rows are not locked (writes conflict at commit instead).
    }
    return plan;
  }
}

// ------------------------------------------------------------------ helpers

/** ruleutils' make_colname_unique over a join's columns: a later duplicate becomes name_1, name_2, … */
function uniqueColumnNames(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((n) => {
    let name = n;
    for (let i = 1; used.has(name); i++) name = `${n}_${i}`;
    used.add(name);
    return name;
  });
}

/** Does a statement mention the relation name (for recursive CTE detection)? */
/** Whether any column reference in the raw tree ends in `name` (subqueries included). */
function mentionsColumn(node: unknown, name: string): boolean {
  if (!node || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some((x) => mentionsColumn(x, name));
  const o = node as RawNode;
  if (o.ColumnRef) {
    const fields = o.ColumnRef.fields as RawNode[];
    return fields[fields.length - 1]?.String?.sval === name;
  }
  return Object.values(o).some((v) => mentionsColumn(v, name));
}

function refersTo(node: unknown, name: string): boolean {
  if (!node || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some((x) => refersTo(x, name));
  const o = node as Record<string, unknown>;
  if (o.RangeVar && (o.RangeVar as RawNode).relname === name && !(o.RangeVar as RawNode).schemaname) return true;
  return Object.values(o).some((v) => refersTo(v, name));
}

/** A column of the query's own result, or a cast of one to its own type (which PostgreSQL drops). */
function isOutputColumn(e: Expr): boolean {
  if (e.kind === 'cast' && e.type.oid === e.arg.type.oid && e.type.typmod === e.arg.type.typmod) return isOutputColumn(e.arg);
  return e.kind === 'column' && e.level === 0;
}

/** A raw expression without its text positions, to compare two written expressions. */
function rawKey(raw: RawNode | undefined): string | undefined {
  return raw === undefined ? undefined : JSON.stringify(raw, (k, v) => (k === 'location' ? undefined : v));
}

/** A select-list entry: its output name, bound expression and (for written entries) raw node. */
interface SelectTarget { name: string; expr: Expr; source?: OutputColumn; raw?: RawNode }

export const DEFAULT_MARKER = Symbol('DEFAULT');
export function isDefaultMarker(e: Expr): boolean {
  return e.kind === 'const' && (e.value as unknown) === DEFAULT_MARKER;
}

function bindEq(env: BindEnv, l: Expr, r: Expr): Expr {
  const scope = new Scope(null);
  scope.add('l', [{ name: 'x', type: l.type, tableOid: 0, attnum: 0 }]);
  scope.add('r', [{ name: 'x', type: r.type, tableOid: 0, attnum: 0 }]);
  const e = bindExpr({ A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: '=' } }], lexpr: { ColumnRef: { fields: [{ String: { sval: 'l' } }, { String: { sval: 'x' } }] } }, rexpr: { ColumnRef: { fields: [{ String: { sval: 'r' } }, { String: { sval: 'x' } }] } } } }, scope, { env, noAggregates: 'JOIN' });
  // re-point the two column refs at the real join columns
  return mapColumns(e, (c) => (c.index === 0 ? l : r));
}

function mapColumns(e: Expr, f: (c: Extract<Expr, { kind: 'column' }>) => Expr): Expr {
  return mapExpr(e, (x) => (x.kind === 'column' && x.level === 0 ? f(x) : undefined));
}

/**
 * transformDistinctOnClause: ORDER BY items that are DISTINCT ON items must come before any
 * that is not, and every DISTINCT ON item must be among those leading ORDER BY items.
 */
function checkDistinctOnOrder(onColumns: readonly number[], sortColumns: readonly number[], positions: readonly (number | undefined)[]): void {
  const fail = (k: number) => new SqlError(SqlState.invalidColumnReference, 'SELECT DISTINCT ON expressions must match initial ORDER BY expressions', { position: positions[k] });
  const leading = new Set<number>();
  let skipped = false;
  for (const c of sortColumns) {
    const k = onColumns.indexOf(c);
    if (k < 0) skipped = true;
    else if (skipped) throw fail(k);
    else leading.add(c);
  }
  onColumns.forEach((c, k) => {
    if (!leading.has(c) && skipped) throw fail(k);
  });
}

function containsWindow(e: Expr): boolean {
  let found = false;
  mapExpr(e, (x) => {
    if (x.kind === 'window') found = true;
    return found ? x : undefined;
  });
  return found;
}

function containsAgg(e: Expr): boolean {
  let found = false;
  mapExpr(e, (x) => {
    if (x.kind === 'agg') found = true;
    // aggregates inside OVER (…) arguments belong to the grouped query; window calls themselves don't group
    if (x.kind === 'window') {
      for (const a of [...x.args, ...x.partitionBy, ...x.orderBy.map((k) => k.expr)]) if (containsAgg(a)) found = true;
      return x;
    }
    return found ? x : undefined;
  });
  return found;
}


const planIds = new WeakMap<object, number>();
let nextPlanId = 1;

/** A structural key: equal keys ⇔ the same expression (used to match GROUP BY items). */
export function exprKey(e: Expr): string {
  return JSON.stringify(e, (k, v) => {
    // as PostgreSQL's equal() ignores a cast's or a call's CoercionForm
    if (k === 'position' || k === 'table' || k === 'explicit' || k === 'typed' || k === 'sqlSyntax') return undefined;
    // a subquery is only ever equal to itself (the same bound plan object)
    if (k === 'plan' && v && typeof v === 'object') {
      if (!planIds.has(v)) planIds.set(v, nextPlanId++);
      return `plan#${planIds.get(v)}`;
    }
    if (k === 'fn') return typeof v === 'object' || typeof v === 'function' ? undefined : v;
    if (typeof v === 'bigint') return `${v}n`;
    if (v instanceof Float32Array) return Array.from(v);
    return v;
  });
}

/** The place of an expression equal to `e` in `list` (`keys` their exprKeys), `e` appended when there is none. */
function internExpr<E extends Expr>(list: E[], keys: string[], e: E): number {
  const key = exprKey(e);
  const i = keys.indexOf(key);
  if (i >= 0) return i;
  list.push(e);
  keys.push(key);
  return list.length - 1;
}

/** per list of aggregate calls being collected: each call's exprKey */
const aggKeys = new WeakMap<AggregateCall[], string[]>();

function rewriteForAggregate(e: Expr, groups: readonly Expr[], aggs: AggregateCall[]): Expr {
  const keys = groups.map(exprKey);
  return mapExpr(e, (x) => {
    const gi = keys.indexOf(exprKey(x));
    if (gi >= 0) return { kind: 'column', type: x.type, level: 0, index: gi, name: '' };
    if (x.kind === 'window') {
      const r = (y: Expr) => rewriteForAggregate(y, groups, aggs);
      return { ...x, args: x.args.map(r), partitionBy: x.partitionBy.map(r), orderBy: x.orderBy.map((k) => ({ ...k, expr: r(k.expr) })) };
    }
    if (x.kind === 'agg') {
      if (x.fn === GROUPING_FUNCTION) return groupingColumn(x, keys, groups.length, aggs);
      // an aggregate written twice (in the select list and a window's ORDER BY) is computed once, as PostgreSQL shares equal Aggrefs
      const key = exprKey(x);
      const seen = aggKeys.get(aggs) ?? [];
      aggKeys.set(aggs, seen);
      const same = seen.indexOf(key);
      if (same >= 0) return { kind: 'column', type: x.type, level: 0, index: groups.length + same, name: x.name };
      const direct = x.direct?.map((d) => rewriteDirectArgument(d, groups, aggs));
      seen[aggs.length] = key;
      aggs.push({ name: x.name, fn: x.fn, args: x.args, distinct: x.distinct, filter: x.filter, orderBy: x.orderBy, type: x.type, ...(direct ? { direct } : {}) });
      return { kind: 'column', type: x.type, level: 0, index: groups.length + aggs.length - 1, name: x.name };
    }
    if (srfMarkerIndex(x) !== undefined) return x;
    if (x.kind === 'column' && x.level === 0) {
      const shown = x.table ? `${x.table}.${x.name}` : x.name;
      throw new SqlError(SqlState.groupingError, `column "${shown}" must appear in the GROUP BY clause or be used in an aggregate function`, { position: x.position });
    }
    return undefined;
  });
}

/**
 * A set-returning call's output before its ProjectSet is placed: a column at level 0 with a
 * negative number, which no rewrite takes for a column of the rows (rewriteForAggregate passes it).
 */
function srfMarker(j: number, x: Extract<Expr, { kind: 'column' }>): Expr {
  return { ...x, index: -1 - j };
}

function srfMarkerIndex(x: Expr): number | undefined {
  return x.kind === 'column' && x.level === 0 && x.index < 0 ? -1 - x.index : undefined;
}

/** mapExpr that also maps a window function's arguments and keys */
function mapThroughWindows(e: Expr, f: (x: Expr) => Expr | undefined): Expr {
  return mapExpr(e, (x) => {
    const replaced = f(x);
    if (replaced || x.kind !== 'window') return replaced;
    const m = (y: Expr) => mapThroughWindows(y, f);
    return { ...x, args: x.args.map(m), partitionBy: x.partitionBy.map(m), orderBy: x.orderBy.map((k) => ({ ...k, expr: m(k.expr) })) };
  });
}

function hasSrfMarker(e: Expr): boolean {
  let found = false;
  mapThroughWindows(e, (x) => {
    if (srfMarkerIndex(x) !== undefined) found = true;
    return undefined;
  });
  return found;
}

function windowKeysHaveSrfMarker(e: Expr): boolean {
  let found = false;
  mapExpr(e, (x) => {
    if (x.kind === 'window' && (x.partitionBy.some(hasSrfMarker) || x.orderBy.some((k) => hasSrfMarker(k.expr)))) found = true;
    return undefined;
  });
  return found;
}

/** GROUPING(…) as an aggregate output column: its arguments must be GROUP BY expressions. */
function groupingColumn(x: Extract<Expr, { kind: 'agg' }>, groupKeys: readonly string[], nGroups: number, aggs: AggregateCall[]): Expr {
  const grouping = x.args.map((a) => {
    const i = groupKeys.indexOf(exprKey(a));
    if (i < 0) {
      throw new SqlError(SqlState.groupingError, 'arguments to GROUPING must be grouping expressions of the associated query level', { position: 'position' in a ? a.position : undefined });
    }
    return i;
  });
  const same = aggs.findIndex((a) => a.grouping?.join(',') === grouping.join(','));
  if (same >= 0) return { kind: 'column', type: x.type, level: 0, index: nGroups + same, name: x.name };
  // args kept for EXPLAIN (GROUPING(a, b), as PostgreSQL prints it); the operator never evaluates them
  aggs.push({ name: 'GROUPING', fn: x.fn, args: x.args, distinct: false, filter: null, orderBy: [], type: x.type, grouping });
  return { kind: 'column', type: x.type, level: 0, index: nGroups + aggs.length - 1, name: x.name };
}

/** An ordered-set aggregate's direct argument is evaluated per group: only grouped columns. */
function rewriteDirectArgument(e: Expr, groups: readonly Expr[], aggs: AggregateCall[]): Expr {
  try {
    return rewriteForAggregate(e, groups, aggs);
  } catch (err) {
    if (!(err instanceof SqlError) || err.code !== SqlState.groupingError || err.fields.detail !== undefined) throw err;
    throw new SqlError(err.code, err.message, { ...err.fields, detail: 'Direct arguments of an ordered-set aggregate must use only grouped columns.' });
  }
}

export function colRef(schema: readonly OutputColumn[], i: number): Expr {
  return { kind: 'column', type: schema[i].type, level: 0, index: i, name: schema[i].name };
}

function renameColumns(plan: Plan, names: readonly string[]): Plan {
  const schema = plan.schema.map((c, i) => (i < names.length ? { ...c, name: names[i] } : c));
  return { kind: 'project', schema, input: plan, exprs: schema.map((_, i) => colRef(plan.schema, i)) };
}

/**
 * castPlan for a set operation's operand: an unknown-typed output of its projection (a
 * literal or $n) is coerced in place, so 'a' fails as PostgreSQL does (22P02 at the literal).
 */
function castSetOperand(env: BindEnv, plan: Plan, types: readonly SqlType[]): Plan {
  const typed = typeUnknownOutputs(env, plan, types);
  const cast = castPlan(env, typed, types);
  // EXPLAIN shows PostgreSQL's Subquery Scan "*SELECT* n" over it (planner/union-members.ts)
  return cast === typed || cast.kind !== 'project' ? cast : { ...cast, setopCoercion: true };
}

function typeUnknownOutputs(env: BindEnv, plan: Plan, types: readonly SqlType[]): Plan {
  if (!plan.schema.some((c) => c.type.oid === OID.unknown)) return plan;
  if (plan.kind === 'limit') {
    const input = typeUnknownOutputs(env, plan.input, types);
    return { ...plan, input, schema: input.schema };
  }
  if (plan.kind !== 'project') return plan;
  const exprs = plan.exprs.map((e, i) => (e.type.oid === OID.unknown ? coerce(env, e, types[i], 'implicit') : e));
  return { ...plan, exprs, schema: plan.schema.map((c, i) => ({ ...c, type: exprs[i].type })) };
}

/** The position of a plain SELECT's i-th output expression (where PostgreSQL points a type mismatch). */
function targetPosition(stmt: RawNode, i: number): number | undefined {
  const t = (stmt.targetList as RawNode[] | undefined)?.[i];
  return t ? rawPosition(t.ResTarget.val) : undefined;
}

function castPlan(env: BindEnv, plan: Plan, types: readonly SqlType[]): Plan {
  if (plan.schema.every((c, i) => c.type.oid === types[i].oid)) return plan;
  const exprs = plan.schema.map((_, i) => coerce(env, colRef(plan.schema, i), types[i], 'implicit'));
  return { kind: 'project', schema: plan.schema.map((c, i) => ({ ...c, type: types[i] })), input: plan, exprs };
}

export function joinPlan(joinType: 'inner' | 'left' | 'right' | 'full', left: Plan, right: Plan, on: Expr | null, lateral: boolean): Plan {
  return { kind: 'join', schema: [...left.schema, ...right.schema], joinType, left, right, on, lateral };
}

/**
 * Record-typed output columns of a statement are sent in record_out's text form
 * (`(1,x,)`); inside the query they stay field lists so `(r).x` works.
 */
export function formatRecordOutputs(plan: Plan): Plan {
  if (!plan.schema.some((c) => c.type.oid === OID.record)) return plan;
  const exprs = plan.schema.map((c, i): Expr => {
    const ref = colRef(plan.schema, i);
    if (c.type.oid !== OID.record) return ref;
    const fn = recordFunctionFor('text', c.type)!;
    return { kind: 'call', type: c.type, name: 'record_out', fn, args: [ref] };
  });
  return { kind: 'project', schema: plan.schema, input: plan, exprs };
}

/** Resolve a set-returning function call: typed arguments and output columns. */
function bindSetFunction(env: BindEnv, name: string, args: Expr[], position: number | undefined, inFrom = false): { args: Expr[]; columns: readonly { name: string; type: SqlType }[]; namedColumns: boolean } {
  let sig: ResolvedSetFunction;
  try {
    sig = resolveSetFunction(name, args.map((a) => a.type), inFrom);
  } catch (e) {
    throw e instanceof SqlError ? e.withPosition(position) : e;
  }
  const typed = args.map((a, i) => (a.type.oid === sig.argTypes[i].oid ? a : coerce(env, a, sig.argTypes[i], 'implicit')));
  return { args: typed, columns: sig.columns, namedColumns: sig.namedColumns };
}

/** PostgreSQL's FigureColname: the default name of a select-list column. */
export function figureColname(node: RawNode): string {
  return figure(node)[0];
}

/** [name, strength]: 2 = a real name (column, function), 1 = a type or CASE, 0 = none. */
function figure(node: RawNode): [string, number] {
  const kind = Object.keys(node)[0];
  const n = node[kind];
  switch (kind) {
    case 'ColumnRef': {
      const last = n.fields[n.fields.length - 1];
      return last.String ? [last.String.sval, 2] : ['?column?', 0];
    }
    case 'A_Indirection': {
      const last = n.indirection[n.indirection.length - 1];
      return last.String ? [last.String.sval, 2] : figure(n.arg);
    }
    case 'FuncCall':
      return [(n.funcname as RawNode[])[n.funcname.length - 1].String.sval, 2];
    case 'A_Expr':
      return n.kind === 'AEXPR_NULLIF' ? ['nullif', 2] : ['?column?', 0];
    case 'TypeCast': {
      const inner = figure(n.arg);
      if (inner[1] >= 2) return inner;
      const names = n.typeName.names as RawNode[];
      return [names[names.length - 1].String.sval as string, 1];
    }
    case 'CollateClause': return figure(n.arg);
    case 'CaseExpr': {
      const inner = n.defresult ? figure(n.defresult) : (['?column?', 0] as [string, number]);
      return inner[1] >= 2 ? inner : ['case', 1];
    }
    case 'CoalesceExpr': return ['coalesce', 2];
    case 'MinMaxExpr': return [n.op === 'IS_GREATEST' ? 'greatest' : 'least', 2];
    case 'A_ArrayExpr': return ['array', 2];
    case 'RowExpr': return ['row', 2];
    case 'NullIfExpr': return ['nullif', 2];
    case 'GroupingFunc': return ['grouping', 2];
    case 'SubLink': {
      if (n.subLinkType === 'EXISTS_SUBLINK') return ['exists', 2];
      if (n.subLinkType === 'ARRAY_SUBLINK') return ['array', 2];
      if (n.subLinkType === 'EXPR_SUBLINK') {
        const t = n.subselect.SelectStmt?.targetList?.[0]?.ResTarget;
        if (t) return t.name ? [t.name, 2] : figure(t.val);
      }
      return ['?column?', 0];
    }
    case 'SQLValueFunction': {
      const map: Record<string, string> = {
        SVFOP_CURRENT_DATE: 'current_date', SVFOP_CURRENT_TIME: 'current_time', SVFOP_CURRENT_TIME_N: 'current_time',
        SVFOP_CURRENT_TIMESTAMP: 'current_timestamp', SVFOP_CURRENT_TIMESTAMP_N: 'current_timestamp',
        SVFOP_LOCALTIME: 'localtime', SVFOP_LOCALTIME_N: 'localtime', SVFOP_LOCALTIMESTAMP: 'localtimestamp',
        SVFOP_LOCALTIMESTAMP_N: 'localtimestamp', SVFOP_CURRENT_ROLE: 'current_role', SVFOP_CURRENT_USER: 'current_user',
        SVFOP_USER: 'user', SVFOP_SESSION_USER: 'session_user', SVFOP_CURRENT_CATALOG: 'current_catalog',
        SVFOP_CURRENT_SCHEMA: 'current_schema',
      };
      return [map[n.op] ?? '?column?', 2];
    }
    default:
      return ['?column?', 0];
  }
}

/** A number constant cast to real / double precision is that constant, as the parser's coerce_type folds it (EXPLAIN and the sample scan's cost read it). */
function foldNumberCast(e: Expr): Expr {
  if (e.kind !== 'cast' || e.arg.kind !== 'const' || (e.type.oid !== OID.float4 && e.type.oid !== OID.float8)) return e;
  const v = e.arg.value;
  if (typeof v !== 'number' && typeof v !== 'bigint' && !(typeof v === 'string' && e.arg.type.oid === OID.numeric)) return e;
  const n = Number(v);
  return { kind: 'const', type: e.type, value: e.type.oid === OID.float4 ? Math.fround(n) : n };
}
