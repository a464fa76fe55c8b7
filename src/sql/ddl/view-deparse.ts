/**
 * A view's query printed back as PostgreSQL 15's ruleutils.c get_query_def prints the
 * stored query (pg_get_viewdef, `\d+`, pg_views, information_schema.views, pg_dump): the
 * structure — WITH, set operations, SELECT [DISTINCT [ON]], FROM items and joins, WHERE,
 * GROUP BY (grouping sets), HAVING, WINDOW, ORDER BY, OFFSET / LIMIT / FETCH … WITH TIES,
 * sub-SELECTs — from the query's parse tree, each expression as its bound form prints
 * (planner/rule-expr.ts: qualified columns, implicit casts, parentheses), with ruleutils'
 * line breaks and indentation (PRETTYINDENT_STD 8, _JOIN 4, _VAR 4, wrap column 0).
 *
 * A relation's name is written between markers (relationMarker) so the text can name its
 * schema only where the reader's search path does not find it, as generate_relation_name.
 * A shape not printed here throws Unsupported: the caller keeps the query as written.
 */
import { sortDirection } from '../sort-direction.js';
import type { Expr } from '../../planner/plan.js';
import { ruleExpr, sortGroupText, sortKeyText, type RuleExprOptions } from '../../planner/rule-expr.js';
import { quoteIdent } from '../../types/identifiers.js';
import { OID } from '../../types/types.js';
import type { BoundRecord } from '../bind-expr.js';
import { relationMarker, wrapMarker } from '../../catalog/functions/qualify.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type RawNode = any;

class Unsupported extends Error {}

const STD = 8;
const JOIN_INDENT = 4;
const VAR_INDENT = 4;
const INDENT_LIMIT = 40;

/** PostgreSQL's FirstNormalObjectId: OIDs from here name user objects */
const FIRST_USER_OID = 16384;
/** pgvector's types (named off the search path by the catalog's own fallback: qualify.ts) */
const VECTOR_TYPES = new Set<number>([OID.vector, OID._vector, OID.halfvec, OID._halfvec, OID.sparsevec, OID._sparsevec]);

/** the wrap column that leaves the wrapping decisions in the text (wrapPoint) */
export const MARK_WRAPS = -2;

const isColumn = (e: Expr): e is Extract<Expr, { kind: 'column' }> => e.kind === 'column';

/**
 * One query level being printed: its FROM items' names as printed (set_rtable_names: unique
 * across the levels printed around it, `t_1` for a second `t`), the level its column
 * references' level 1 is (the binder's parent scope) and the level it is printed in.
 */
interface Frame {
  readonly names: Map<string, string>;
  /** each relation's printed name (two of one name: one of them inside an aliased join) */
  readonly items: Map<object, string>;
  readonly parent: Frame | null;
  readonly up: Frame | null;
}

class QueryPrinter {
  private buf = '';
  private indent = 0;
  private frame: Frame | null = null;

  constructor(private readonly rec: BoundRecord, private readonly pretty: boolean, private readonly wrap: number) {}

  /** get_query_def of `stmt` (a SelectStmt body) starting at indentLevel `indent`, its outer references to `parent` */
  query(stmt: RawNode, indent: number, columns: readonly string[] | undefined, colNamesVisible: boolean, parent: Frame | null): string {
    const saved = { buf: this.buf, indent: this.indent, frame: this.frame };
    this.buf = '';
    this.indent = indent;
    this.frame = this.newFrame(stmt, parent);
    try {
      this.selectQuery(stmt, columns, colNamesVisible);
      return this.buf;
    } finally {
      this.buf = saved.buf;
      this.indent = saved.indent;
      this.frame = saved.frame;
    }
  }

  /** set_rtable_names for the level's FROM items, in range-table order */
  private newFrame(stmt: RawNode, parent: Frame | null): Frame {
    const frame: Frame = { names: new Map(), items: new Map(), parent, up: this.frame };
    const used = new Set<string>();
    for (let f: Frame | null = this.frame; f; f = f.up) for (const n of f.names.values()) used.add(n);
    // a name read by the query's columns is the visible item's: not one inside an aliased join
    const assign = (name: string, hidden = false, node?: object) => {
      let refname = name;
      for (let k = 1; used.has(refname); k++) refname = `${name}_${k}`;
      used.add(refname);
      if (!hidden || !frame.names.has(name)) frame.names.set(name, refname);
      if (node) frame.items.set(node, refname);
    };
    const visit = (item: RawNode, hidden = false) => {
      if (item.RangeVar) assign(item.RangeVar.alias?.aliasname ?? item.RangeVar.relname, hidden, item.RangeVar);
      else if (item.RangeTableSample) visit(item.RangeTableSample.relation, hidden);
      else if (item.RangeSubselect?.alias) assign(item.RangeSubselect.alias.aliasname);
      else if (item.RangeFunction) {
        const call = item.RangeFunction.functions?.[0]?.List?.items?.[0]?.FuncCall;
        const fname = call ? (call.funcname as RawNode[]).map((x) => x.String.sval as string).pop() : undefined;
        const name = item.RangeFunction.alias?.aliasname ?? fname;
        if (name) assign(name);
      } else if (item.JoinExpr) {
        visit(item.JoinExpr.larg, hidden || !!item.JoinExpr.alias);
        visit(item.JoinExpr.rarg, hidden || !!item.JoinExpr.alias);
        if (item.JoinExpr.alias) assign(item.JoinExpr.alias.aliasname);
      }
    };
    for (const item of (stmt.fromClause ?? []) as RawNode[]) visit(item);
    return frame;
  }

  /** the name a column's FROM item is printed under, `level` query levels up */
  private refname(table: string, level: number): string {
    let f = this.frame;
    for (let i = 0; i < level && f; i++) f = f.parent;
    return f?.names.get(table) ?? table;
  }

  /** the printed name of this level's FROM item written `name` */
  private ownName(name: string): string {
    return this.frame?.names.get(name) ?? name;
  }

  private out(s: string): void {
    this.buf += s;
  }

  /** appendContextKeyword (PRETTY_INDENT is on in both of a view's modes) */
  private keyword(s: string, before: number, after: number, plus: number): void {
    this.indent += before;
    this.buf = this.buf.replace(/ +$/, '');
    let amount: number;
    if (this.indent < INDENT_LIMIT) {
      amount = Math.max(this.indent, 0) + plus;
    } else {
      amount = INDENT_LIMIT + Math.trunc((this.indent - INDENT_LIMIT) / (STD / 2));
      amount = (amount % INDENT_LIMIT) + plus;
    }
    this.out(`\n${' '.repeat(amount)}${s}`);
    this.indent = Math.max(this.indent + after, 0);
  }

  private bound(node: RawNode): Expr {
    const e = node && this.rec.exprs.get(node);
    if (!e) throw new Unsupported('an expression not bound');
    return e;
  }

  private exprOptions(): RuleExprOptions {
    return {
      pretty: this.pretty,
      column: (c) => (c.joinAlias ? `${quoteIdent(this.refname(c.joinAlias.alias, c.level))}.${quoteIdent(c.joinAlias.name)}`
        : c.table ? `${quoteIdent(this.refname(c.table, c.level))}.${quoteIdent(c.name)}` : quoteIdent(c.name)),
      special: (e, indent) => this.special(e, indent),
    };
  }

  private expr(e: Expr, showImplicit = false): string {
    return ruleExpr(e, { ...this.exprOptions(), indent: this.indent }, showImplicit);
  }

  private sortGroup(e: Expr): string {
    return sortGroupText(e, this.exprOptions(), this.indent);
  }

  private sortKey(s: RawNode): string {
    const sb = s.SortBy;
    const { desc, nullsFirst } = sortDirection(sb);
    return sortKeyText({ expr: this.bound(sb.node), desc, nullsFirst }, this.exprOptions(), this.indent);
  }

  // ---- get_select_query_def ------------------------------------------------------------

  private selectQuery(stmt: RawNode, columns: readonly string[] | undefined, colNamesVisible: boolean): void {
    if (stmt.lockingClause?.length) throw new Unsupported('FOR UPDATE');
    if (stmt.withClause) this.withClause(stmt.withClause);
    const setop = stmt.op && stmt.op !== 'SETOP_NONE';
    if (setop) this.setop(stmt, columns, colNamesVisible);
    else this.basicSelect(stmt, columns, colNamesVisible);
    if (stmt.sortClause?.length) {
      this.keyword(' ORDER BY ', -STD, STD, 1);
      this.out((stmt.sortClause as RawNode[]).map((s) => (setop ? this.columnNumber(s, columns ?? this.rec.itemColumns.get(stmt)) : this.sortKey(s))).join(', '));
    }
    if (stmt.limitOffset) {
      this.keyword(' OFFSET ', -STD, STD, 0);
      this.out(this.expr(this.bound(stmt.limitOffset)));
    }
    if (stmt.limitCount) {
      if (stmt.limitOption === 'LIMIT_OPTION_WITH_TIES') {
        this.keyword(' FETCH FIRST ', -STD, STD, 0);
        this.out(`(${this.expr(this.bound(stmt.limitCount))}) ROWS WITH TIES`);
      } else {
        this.keyword(' LIMIT ', -STD, STD, 0);
        this.out(stmt.limitCount.A_Const?.isnull ? 'ALL' : this.expr(this.bound(stmt.limitCount)));
      }
    }
  }

  /** a set operation's ORDER BY names output columns by number (force_colno) */
  private columnNumber(s: RawNode, columns: readonly string[] | undefined): string {
    const sb = s.SortBy;
    const node = sb.node;
    let n: number | undefined;
    if (node.A_Const?.ival !== undefined) n = node.A_Const.ival.ival;
    else if (node.ColumnRef?.fields?.length === 1 && columns) n = columns.indexOf(node.ColumnRef.fields[0].String?.sval) + 1;
    if (!n) throw new Unsupported('set operation ORDER BY expression');
    const { desc, nullsFirst } = sortDirection(sb);
    return `${n}${desc ? ' DESC' : ''}${nullsFirst !== desc ? (nullsFirst ? ' NULLS FIRST' : ' NULLS LAST') : ''}`;
  }

  private withClause(w: RawNode): void {
    this.indent += STD;
    this.out(' ');
    let sep = w.recursive ? 'WITH RECURSIVE ' : 'WITH ';
    for (const c of w.ctes as RawNode[]) {
      const cte = c.CommonTableExpr;
      if (cte.search_clause || cte.cycle_clause) throw new Unsupported('SEARCH / CYCLE');
      const query = cte.ctequery?.SelectStmt;
      if (!query) throw new Unsupported('a data-modifying WITH query');
      this.out(sep + quoteIdent(cte.ctename));
      const names = ((cte.aliascolnames ?? []) as RawNode[]).map((x) => quoteIdent(x.String.sval));
      if (names.length) this.out(`(${names.join(', ')})`);
      this.out(' AS ');
      if (cte.ctematerialized === 'CTEMaterializeAlways') this.out('MATERIALIZED ');
      if (cte.ctematerialized === 'CTEMaterializeNever') this.out('NOT MATERIALIZED ');
      this.out('(');
      this.keyword('', 0, 0, 0);
      this.out(this.query(query, this.indent, undefined, true, this.frame?.parent ?? null));
      this.keyword('', 0, 0, 0);
      this.out(')');
      sep = ', ';
    }
    this.indent -= STD;
    this.keyword('', 0, 0, 0);
  }

  private setop(stmt: RawNode, columns: readonly string[] | undefined, colNamesVisible: boolean): void {
    const leaf = (s: RawNode) => !s.op || s.op === 'SETOP_NONE';
    const op = (s: RawNode) => `${({ SETOP_UNION: 'UNION', SETOP_INTERSECT: 'INTERSECT', SETOP_EXCEPT: 'EXCEPT' } as Record<string, string>)[s.op]} ${s.all ? 'ALL ' : ''}`;
    const operand = (s: RawNode, visible: boolean) => {
      if (leaf(s)) {
        const paren = !!(s.withClause || s.sortClause?.length || s.lockingClause?.length || s.limitOffset || s.limitCount);
        if (paren) this.out('(');
        this.out(this.query(s, this.indent, columns, visible, this.frame?.parent ?? null));
        if (paren) this.out(')');
      } else {
        this.setopTree(s, operand, op);
      }
    };
    this.setopTree(stmt, operand, op, colNamesVisible);
  }

  /** get_setop_query over a SetOperationStmt */
  private setopTree(s: RawNode, operand: (s: RawNode, visible: boolean) => void, op: (s: RawNode) => string, colNamesVisible = false): void {
    const larg = s.larg.SelectStmt ?? s.larg;
    const rarg = s.rarg.SelectStmt ?? s.rarg;
    const isSetop = (x: RawNode) => x.op && x.op !== 'SETOP_NONE' && !(x.sortClause?.length || x.limitCount || x.limitOffset || x.withClause);
    let paren = isSetop(larg) && !(larg.op === s.op && !!larg.all === !!s.all);
    let sub = 0;
    if (paren) {
      this.out('(');
      sub = STD;
      this.keyword('', sub, 0, 0);
    }
    operand(larg, colNamesVisible);
    if (paren) this.keyword(') ', -sub, 0, 0);
    else this.keyword('', -sub, 0, 0);
    this.out(op(s));
    paren = isSetop(rarg);
    sub = 0;
    if (paren) {
      this.out('(');
      sub = STD;
    }
    this.keyword('', sub, 0, 0);
    operand(rarg, false);
    this.indent -= sub;
    if (paren) this.keyword(')', 0, 0, 0);
  }

  private basicSelect(stmt: RawNode, columns: readonly string[] | undefined, colNamesVisible: boolean): void {
    this.indent += STD;
    this.out(' ');
    if (stmt.valuesLists) {
      this.out(this.valuesText(stmt));
      return;
    }
    this.out('SELECT');
    const distinct = stmt.distinctClause as RawNode[] | undefined;
    if (distinct) {
      const plain = distinct.length === 0 || (distinct.length === 1 && Object.keys(distinct[0]).length === 0);
      this.out(plain ? ' DISTINCT' : ` DISTINCT ON (${distinct.map((d) => this.sortGroup(this.bound(d))).join(', ')})`);
    }
    this.targetList(stmt, columns ?? this.rec.itemColumns.get(stmt), colNamesVisible);
    this.fromClause(stmt.fromClause as RawNode[] | undefined);
    if (stmt.whereClause) {
      this.keyword(' WHERE ', -STD, STD, 1);
      this.out(this.expr(this.bound(stmt.whereClause)));
    }
    const group = stmt.groupClause as RawNode[] | undefined;
    if (group?.length) {
      this.keyword(' GROUP BY ', -STD, STD, 1);
      if (stmt.groupDistinct) this.out('DISTINCT ');
      this.out(group.map((g) => this.groupingItem(g, true)).join(', '));
    }
    if (stmt.havingClause) {
      this.keyword(' HAVING ', -STD, STD, 0);
      this.out(this.expr(this.bound(stmt.havingClause)));
    }
    const windows = ((stmt.windowClause ?? []) as RawNode[]).map((w) => w.WindowDef).filter((w) => w.name);
    windows.forEach((w, i) => {
      if (i === 0) this.keyword(' WINDOW ', -STD, STD, 1);
      else this.out(', ');
      this.out(`${quoteIdent(w.name)} AS ${this.windowSpec(w)}`);
    });
  }

  /** get_rule_groupingset: an expression, ROLLUP / CUBE / GROUPING SETS, () or a row of expressions */
  private groupingItem(g: RawNode, omitParens: boolean): string {
    const set = g.GroupingSet;
    if (!set) {
      if (g.RowExpr) {
        const inner = (g.RowExpr.args as RawNode[]).map((a) => this.sortGroup(this.bound(a))).join(', ');
        return `(${inner})`;
      }
      const text = this.sortGroup(this.bound(g));
      return omitParens ? text : `(${text})`;
    }
    const content = (set.content ?? []) as RawNode[];
    switch (set.kind) {
      case 'GROUPING_SET_EMPTY': return '()';
      case 'GROUPING_SET_ROLLUP': return `ROLLUP(${content.map((c) => this.groupingItem(c, true)).join(', ')})`;
      case 'GROUPING_SET_CUBE': return `CUBE(${content.map((c) => this.groupingItem(c, true)).join(', ')})`;
      case 'GROUPING_SET_SETS': return `GROUPING SETS (${content.map((c) => this.groupingItem(c, false)).join(', ')})`;
      default: throw new Unsupported(`grouping set ${set.kind}`);
    }
  }

  /** get_values_def: a VALUES list's rows as bound (their common types' casts shown) */
  private valuesText(stmt: RawNode): string {
    const rows = this.rec.values.get(stmt.valuesLists);
    if (!rows) throw new Unsupported('VALUES rows');
    return `VALUES ${rows.map((r) => `(${r.map((e) => this.expr(e)).join(',')})`).join(', ')}`;
  }

  // ---- get_target_list ------------------------------------------------------------------

  private targetList(stmt: RawNode, columns: readonly string[] | undefined, colNamesVisible: boolean): void {
    const items: { e: Expr; name: string }[] = [];
    for (const t of (stmt.targetList ?? []) as RawNode[]) {
      const star = this.rec.stars.get(t);
      if (star) {
        for (const c of star) items.push({ e: c.expr, name: c.name });
        continue;
      }
      const e = this.bound(t.ResTarget.val);
      items.push({ e, name: t.ResTarget.name ?? '' });
    }
    let sep = ' ';
    let lastMultiline = false;
    items.forEach((item, i) => {
      this.out(sep);
      sep = ', ';
      const colname = columns?.[i] ?? item.name;
      let e = item.e;
      // an unknown literal in the output is text (transformTargetList's coercion)
      if (e.kind === 'const' && e.type.oid === OID.unknown) e = { ...e, type: { oid: OID.text, typmod: -1 } };
      let text: string;
      let attname: string | undefined;
      const saved = this.buf;
      this.buf = '';
      if (isColumn(e)) {
        text = this.expr(e, true);
        attname = e.joinAlias?.name ?? e.name;
      } else {
        text = this.expr(e, true);
        attname = colNamesVisible ? undefined : '?column?';
      }
      this.buf = saved;
      if (colname && attname !== colname) text += ` AS ${quoteIdent(colname)}`;
      if (this.wrap === MARK_WRAPS) return this.wrapPoint('T', i === 0, text);
      // line wrapping (wrapColumn 0: each column on a line of its own)
      if (this.wrap >= 0) {
        if (text.startsWith('\n')) {
          this.buf = this.buf.replace(/ +$/, '');
        } else {
          const line = this.buf.slice(this.buf.lastIndexOf('\n') + 1);
          if (i > 0 && (line.length + text.length > this.wrap || lastMultiline)) this.keyword('', -STD, STD, VAR_INDENT);
        }
        lastMultiline = text.slice(text.startsWith('\n') ? 1 : 0).includes('\n');
      }
      this.out(text);
    });
  }

  /**
   * A select-list or FROM item whose line break the wrap column decides, left to be decided
   * when the text is read (catalog/functions/qualify.ts resolveWrapMarkers): the item between
   * markers, with the indentation a break gives (appendContextKeyword("", -STD, STD, VAR))
   */
  private wrapPoint(kind: 'T' | 'F', first: boolean, text: string): void {
    const level = this.indent - STD;
    const amount = level < INDENT_LIMIT ? Math.max(level, 0) + VAR_INDENT
      : ((INDENT_LIMIT + Math.trunc((level - INDENT_LIMIT) / (STD / 2))) % INDENT_LIMIT) + VAR_INDENT;
    this.out(wrapMarker(kind, first, amount, text));
  }

  // ---- get_from_clause ------------------------------------------------------------------

  private fromClause(items: RawNode[] | undefined): void {
    if (!items?.length) return;
    items.forEach((item, i) => {
      if (i === 0) {
        this.keyword(' FROM ', -STD, STD, 2);
        this.fromItem(item);
        return;
      }
      this.out(', ');
      const saved = this.buf;
      this.buf = '';
      this.fromItem(item);
      const text = this.buf;
      this.buf = saved;
      if (this.wrap === MARK_WRAPS) return this.wrapPoint('F', false, text);
      if (this.wrap >= 0) {
        if (text.startsWith('\n')) this.buf = this.buf.replace(/ +$/, '');
        else if (this.buf.slice(this.buf.lastIndexOf('\n') + 1).length + text.length > this.wrap) this.keyword('', -STD, STD, VAR_INDENT);
      }
      this.out(text);
    });
  }

  private fromItem(item: RawNode): void {
    if (item.RangeVar) return this.relation(item, item.RangeVar);
    if (item.RangeSubselect) {
      const n = item.RangeSubselect;
      if (n.lateral) this.out('LATERAL ');
      this.out(`(${this.query(n.subquery.SelectStmt, this.indent, undefined, true, n.lateral ? this.frame : this.frame?.parent ?? null)})`);
      if (n.alias) this.out(` ${quoteIdent(this.ownName(n.alias.aliasname))}${n.alias.colnames ? this.columnList(item) : ''}`);
      return;
    }
    if (item.RangeFunction) return this.functionItem(item, item.RangeFunction);
    if (item.JoinExpr) return this.join(item.JoinExpr);
    if (item.RangeTableSample) {
      // get_tablesample_def, after the relation and its alias; its arguments without their implicit casts
      const n = item.RangeTableSample;
      this.relation(item, n.relation.RangeVar);
      const method = ((n.method ?? []) as RawNode[]).map((m) => m.String?.sval as string).pop()!.toLowerCase();
      this.out(` TABLESAMPLE ${method} (${((n.args ?? []) as RawNode[]).map((a) => this.expr(this.bound(a))).join(', ')})`);
      if (n.repeatable) this.out(` REPEATABLE (${this.expr(this.bound(n.repeatable))})`);
      return;
    }
    throw new Unsupported(`FROM item ${Object.keys(item)[0]}`);
  }

  private columnList(item: RawNode): string {
    const names = this.rec.itemColumns.get(item);
    if (!names) throw new Unsupported('FROM item columns');
    return `(${names.map(quoteIdent).join(', ')})`;
  }

  private relation(item: RawNode, n: RawNode): void {
    if (!n.inh) this.out('ONLY ');
    // a name without a schema is a WITH query's (CREATE VIEW wrote every relation's schema into the tree)
    this.out(n.schemaname ? relationMarker(n.schemaname, n.relname) : quoteIdent(n.relname));
    const refname = this.frame?.items.get(n) ?? this.ownName(n.alias?.aliasname ?? n.relname);
    if (n.alias || refname !== n.relname) this.out(` ${quoteIdent(refname)}`);
    if (n.alias?.colnames) this.out(this.columnList(item));
  }

  /** a function in FROM: always its alias and its columns' names (ruleutils' printaliases for RTE_FUNCTION) */
  private functionItem(item: RawNode, n: RawNode): void {
    const fns = n.functions as RawNode[];
    if (fns.some((f) => f.List.items[1]?.List?.items?.length)) throw new Unsupported('a column definition list');
    const calls = fns.map((f) => {
      const call = f.List.items[0].FuncCall;
      if (!call || call.agg_star || call.agg_order || call.over) throw new Unsupported('a function in FROM');
      const parts = (call.funcname as RawNode[]).map((x) => x.String.sval as string);
      const args = ((call.args ?? []) as RawNode[]).map((a) => {
        if (a.NamedArgExpr) throw new Unsupported('named arguments');
        return this.expr(this.bound(a), true);
      });
      return { name: parts[parts.length - 1]!, args };
    });
    if (n.lateral || this.rec.lateral.has(n)) this.out('LATERAL ');
    const name = calls[0].name;
    const callText = (c: { name: string; args: string[] }): string => `${/^[a-z_][a-z0-9_$]*$/.test(c.name) ? quoteIdent(c.name) : c.name}(${c.args.join(', ')})`;
    // get_from_clause_item: one function as itself; unnest(a, b) (parsed as one unnest per
    // array) and ROWS FROM of unnests alone as UNNEST(a, b); any other list as ROWS FROM(…)
    const unnests = calls.every((c) => c.name === 'unnest' && c.args.length === 1) || (calls.length === 1 && name === 'unnest' && calls[0].args.length > 1);
    if (calls.length === 1 && !(name === 'unnest' && calls[0].args.length > 1)) this.out(callText(calls[0]));
    else if (unnests) this.out(`UNNEST(${calls.flatMap((c) => c.args).join(', ')})`);
    else this.out(`ROWS FROM(${calls.map(callText).join(', ')})`);
    if (n.ordinality) this.out(' WITH ORDINALITY');
    this.out(` ${quoteIdent(this.ownName(n.alias?.aliasname ?? name))}${this.columnList(item)}`);
  }

  private join(j: RawNode): void {
    const rightIsJoin = !!j.rarg.JoinExpr;
    const needParenOnRight = this.pretty && !j.rarg.RangeVar && !j.rarg.RangeSubselect && !j.rarg.RangeFunction && !(rightIsJoin && j.rarg.JoinExpr.alias);
    const ownParens = !this.pretty || !!j.alias;
    if (ownParens) this.out('(');
    this.fromItem(j.larg);
    const using = j.isNatural ? this.rec.using.get(j) : ((j.usingClause ?? []) as RawNode[]).map((u) => u.String.sval as string);
    if (j.isNatural && !using) throw new Unsupported('NATURAL join columns');
    const hasQuals = !!j.quals || (using?.length ?? 0) > 0;
    const word = ({ JOIN_INNER: hasQuals ? ' JOIN ' : ' CROSS JOIN ', JOIN_LEFT: ' LEFT JOIN ', JOIN_FULL: ' FULL JOIN ', JOIN_RIGHT: ' RIGHT JOIN ' } as Record<string, string>)[j.jointype];
    if (!word) throw new Unsupported(`join type ${j.jointype}`);
    this.keyword(word, -STD, STD, JOIN_INDENT);
    if (needParenOnRight) this.out('(');
    this.fromItem(j.rarg);
    if (needParenOnRight) this.out(')');
    if (using && using.length > 0) {
      this.out(` USING (${using.map(quoteIdent).join(', ')})`);
      if (j.join_using_alias) this.out(` AS ${quoteIdent(j.join_using_alias.aliasname)}`);
    } else if (j.quals) {
      this.out(' ON ');
      const on = this.expr(this.bound(j.quals));
      this.out(this.pretty ? on : `(${on})`);
    } else if (j.jointype !== 'JOIN_INNER') {
      this.out(' ON TRUE');
    }
    if (ownParens) this.out(')');
    if (j.alias) {
      this.out(` ${quoteIdent(this.ownName(j.alias.aliasname))}`);
      // a merged USING column renamed by the alias renames the inputs' columns too (set_using_names): not printed here
      if (j.alias.colnames && (j.isNatural || j.usingClause?.length)) throw new Unsupported('USING join alias column list');
      const cols = this.rec.joinColumns.get(j);
      if (!cols) throw new Unsupported('join alias columns');
      if (cols.print) this.out(`(${cols.names.map(quoteIdent).join(', ')})`);
    }
  }

  // ---- expressions printed from the tree ------------------------------------------------

  /** sub-SELECTs, window calls and NULLIF: what rule-expr.ts cannot print from the bound node alone */
  private special(e: Expr, indent: number): string | undefined {
    // names ruleutils qualifies off the search path (generate_function_name, format_type):
    // a SQL function's call and a user type's name are left to the text as written
    if (e.kind === 'sqlCall' || e.kind === 'field') throw new Unsupported(e.kind);
    if ((e.kind === 'cast' || e.kind === 'const') && e.type.oid >= FIRST_USER_OID && !VECTOR_TYPES.has(e.type.oid)) throw new Unsupported('a user type');
    if (e.kind !== 'subquery' && e.kind !== 'insubquery' && e.kind !== 'window' && e.kind !== 'case') return undefined;
    const node = this.rec.nodes.get(e) as RawNode | undefined;
    if (e.kind === 'case') {
      if (node?.A_Expr?.kind !== 'AEXPR_NULLIF') return undefined;
      const cond = e.whens[0]!.cond;
      if (cond.kind !== 'call') return undefined;
      return `NULLIF(${cond.args.map((a) => ruleExpr(a, { ...this.exprOptions(), indent }, true)).join(', ')})`;
    }
    if (!node) throw new Unsupported(`${e.kind} without its tree`);
    const saved = this.indent;
    this.indent = indent;
    try {
      if (e.kind === 'window') return this.windowCall(e, node.FuncCall);
      const link = node.SubLink;
      if (!link) throw new Unsupported('a sub-SELECT without its tree');
      const query = () => this.query(link.subselect.SelectStmt, indent, undefined, false, this.frame);
      switch (link.subLinkType) {
        case 'EXISTS_SUBLINK': return `(EXISTS (${query()}))`;
        case 'EXPR_SUBLINK': return `(${query()})`;
        case 'ARRAY_SUBLINK': return `ARRAY(${query()})`;
        case 'ANY_SUBLINK': case 'ALL_SUBLINK': {
          if (e.kind !== 'insubquery') throw new Unsupported('ANY / ALL');
          // a row on the left prints as PostgreSQL's RowCompare over the sub-select: (a, b) IN (…)
          const row = link.testexpr?.RowExpr && e.left.kind === 'array' && e.left.type.oid === OID.record ? e.left.elems : undefined;
          const left = row ? `(${row.map((x) => ruleExpr(x, { ...this.exprOptions(), indent })).join(', ')})` : ruleExpr(e.left, { ...this.exprOptions(), indent }, true);
          const op = e.op ?? (link.operName ? (link.operName as RawNode[]).map((x) => x.String.sval as string).pop()! : '=');
          const how = link.subLinkType === 'ANY_SUBLINK' ? (op === '=' ? ' IN ' : ` ${op} ANY `) : ` ${op} ALL `;
          return `(${left}${how}(${query()}))`;
        }
        default: throw new Unsupported(link.subLinkType);
      }
    } finally {
      this.indent = saved;
    }
  }

  /** get_windowfunc_expr: the call, then OVER a named window or its specification */
  private windowCall(e: Extract<Expr, { kind: 'window' }>, call: RawNode): string {
    if (!call?.over) throw new Unsupported('a window call without its tree');
    if (call.agg_order) throw new Unsupported('window ORDER BY');
    const name = /^[a-z_][a-z0-9_$]*$/.test(e.name) ? quoteIdent(e.name) : e.name;
    // FILTER was bound into the first argument as CASE WHEN c THEN x END (bind-expr's bindWindowCall)
    const first = e.args[0];
    const filtered = call.agg_filter && first?.kind === 'case' ? first.whens[0]! : undefined;
    if (call.agg_filter && !filtered) throw new Unsupported('window FILTER');
    const shown = filtered ? [filtered.result, ...e.args.slice(1)] : e.args;
    const args = call.agg_star ? '*' : shown.map((a) => this.expr(a, true)).join(', ');
    const filter = filtered ? ` FILTER (WHERE ${this.expr(filtered.cond)})` : '';
    const over = call.over;
    const bareName = over.name && !over.refname && !over.partitionClause && !over.orderClause && !(over.frameOptions & 1);
    return `${name}(${args})${filter} OVER ${bareName ? quoteIdent(over.name) : this.windowSpec(over)}`;
  }

  /** get_rule_windowspec */
  private windowSpec(w: RawNode): string {
    const parts: string[] = [];
    if (w.refname) parts.push(quoteIdent(w.refname));
    const partition = (w.partitionClause ?? []) as RawNode[];
    if (partition.length && !w.refname) parts.push(`PARTITION BY ${partition.map((p) => this.sortGroup(this.bound(p))).join(', ')}`);
    const order = (w.orderClause ?? []) as RawNode[];
    if (order.length) parts.push(`ORDER BY ${order.map((s) => this.sortKey(s)).join(', ')}`);
    const opts = Number(w.frameOptions ?? 0);
    if (opts & 0x1) parts.push(this.frameClause(w, opts));
    return `(${parts.join(' ')})`;
  }

  /** the frame clause (frameOptions bits of parsenodes.h), written only when not the default */
  private frameClause(w: RawNode, o: number): string {
    let s = o & 0x2 ? 'RANGE ' : o & 0x4 ? 'ROWS ' : 'GROUPS ';
    if (o & 0x10) s += 'BETWEEN ';
    const bound = (unboundedPre: number, unboundedFol: number, current: number, offPre: number, offFol: number, offset: RawNode) => {
      if (o & unboundedPre) return 'UNBOUNDED PRECEDING ';
      if (o & unboundedFol) return 'UNBOUNDED FOLLOWING ';
      if (o & current) return 'CURRENT ROW ';
      const text = this.expr(this.bound(offset));
      if (o & offPre) return `${text} PRECEDING `;
      if (o & offFol) return `${text} FOLLOWING `;
      throw new Unsupported('frame bound');
    };
    s += bound(0x20, 0x80, 0x200, 0x800, 0x2000, w.startOffset);
    if (o & 0x10) s += `AND ${bound(0x40, 0x100, 0x400, 0x1000, 0x4000, w.endOffset)}`;
    if (o & 0x8000) s += 'EXCLUDE CURRENT ROW ';
    else if (o & 0x10000) s += 'EXCLUDE GROUP ';
    else if (o & 0x20000) s += 'EXCLUDE TIES ';
    return s.slice(0, -1);
  }
}

/**
 * The query text of a view (without the final semicolon) in pg_get_viewdef's plain (pretty
 * false) or pretty mode, its output columns named `columns`; undefined for a shape not
 * printed here.
 */
export function deparseViewQuery(select: RawNode, rec: BoundRecord, columns: readonly string[], pretty: boolean, wrap = 0): string | undefined {
  try {
    return new QueryPrinter(rec, pretty, wrap).query(select, 0, columns, true, null);
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
}
