/**
 * The fan-out planner (PlanFanout of fanout-api.ts): a SELECT over sharded tables → the
 * statement every shard runs and how the router merges their answers.
 *
 * The shard statement is the client's text (libpg-query 18 has no deparser) with the
 * client's select list kept as written, so the shards report the client's column names
 * and types, and hidden columns appended after it: sort keys, group keys, partial
 * aggregates, and LIMIT/OFFSET expressions of $n (the merge gets no parameter values, so
 * the shards compute them). Shapes:
 *  - plain rows: each shard runs the statement; the merge concatenates;
 *  - ORDER BY … LIMIT/OFFSET (k-NN by distance is the main case): each shard sorts and
 *    returns LIMIT (limit + offset) rows; the merge sorts, skips OFFSET, keeps LIMIT;
 *  - aggregates and GROUP BY: each shard aggregates its rows by the GROUP BY (no HAVING,
 *    ORDER BY or LIMIT), the merge combines per group (avg from sum and count), then
 *    HAVING, DISTINCT, ORDER BY and LIMIT; a GROUP BY that includes the distribution key
 *    has each group on one shard, so it runs like plain rows;
 *  - DISTINCT: each shard removes its duplicates, the merge those across shards;
 *  - expressions over aggregates (select list, HAVING, ORDER BY, DISTINCT ON): each shard
 *    returns only its groups' keys and partial aggregates, the merge combines them per group,
 *    and shard 0 runs the client's clauses over the combined groups (fanout-final.ts).
 */
import * as pg from 'libpg-query';
import { SqlError, SqlState } from '../../errors.js';
import type { FanoutPlan, MergeSteps, PlanFanout, ShardResult } from './fanout-api.js';
import type { HavingExpr, HavingTerm, Comparison } from './fanout-having.js';
import { mergeShardResults, type Bound, type ColumnRef, type Combine, type MergeSpec, type SortKey } from './fanout-merge.js';
import {
  MERGEABLE_AGGREGATES, aggregateCalls, bareColumnName, funcName, intConst, isAggregateCall, kindOf, sameExpr, strings, walk,
  type RawNode,
} from './fanout-nodes.js';
import { checkShape, unsupported, type SelectShape, type TableOf } from './fanout-shape.js';
import { SelectText, type Clause } from './fanout-text.js';
import { aggregateColumn, groupColumn, runFinalStatement, type FinalStatement } from './fanout-final.js';

interface Range { readonly start: number; readonly end: number }

/**
 * A shape the merge alone cannot evaluate (an expression over aggregates): the planner plans
 * it again with a final statement on shard 0 (fanout-final.ts).
 */
class NeedsFinalStatement extends SqlError {}
const needsFinal = (what: string): SqlError => {
  const e = unsupported(what);
  return new NeedsFinalStatement(e.code, e.message);
};

/** a piece of the client's text replaced in the final statement */
interface Substitution { readonly start: number; readonly end: number; readonly text: string }

/** the SELECT in what the router passed: libpg-query's ParseResult, a RawStmt, or the node */
function selectOf(parsed: unknown): { stmt: RawNode; offset: number; length?: number } {
  let p = parsed as RawNode;
  let offset = 0, length: number | undefined;
  if (Array.isArray(p?.stmts)) {
    if (p.stmts.length !== 1) throw new SqlError(SqlState.featureNotSupported, 'a fanned-out query must be one statement');
    p = p.stmts[0];
  }
  if (p?.stmt) {
    offset = p.stmt_location ?? 0;
    length = p.stmt_len || undefined;
    p = p.stmt;
  }
  const k = kindOf(p);
  if (k?.[0] === 'SelectStmt') return { stmt: k[1], offset, length };
  if (p && ('targetList' in p || 'op' in p)) return { stmt: p, offset, length };
  throw new SqlError(SqlState.featureNotSupported, 'only SELECT statements fan out over sharded tables');
}

const COMPARISONS = new Map<string, Comparison>([['=', '='], ['<>', '<>'], ['!=', '<>'], ['<', '<'], ['>', '>'], ['<=', '<='], ['>=', '>=']]);

function constText(body: RawNode): string | null {
  if (body.isnull) return null;
  if (body.ival !== undefined) return String(body.ival.ival ?? 0);
  if (body.fval !== undefined) return body.fval.fval;
  if (body.boolval !== undefined) return body.boolval.boolval ? 'true' : 'false';
  if (body.sval !== undefined) return body.sval.sval;
  if (body.bsval !== undefined) return body.bsval.bsval;
  return null;
}

class Planner {
  private readonly text: SelectText;
  private readonly clauses: Map<Clause, number>;
  private readonly targets: RawNode[];
  /** the client's select list items, as written (alias included) and without the alias */
  private readonly targetItems: Range[];
  private readonly targetExprs: Range[];
  private readonly hidden: string[] = [];
  private readonly hiddenCombine: Combine[] = [];
  /** plain DISTINCT (DISTINCT ON is `distinctOn`) */
  private readonly distinct: boolean;
  private readonly distinctOn: unknown[] | undefined;

  constructor(text: SelectText, private readonly stmt: RawNode, private readonly shape: SelectShape) {
    this.text = text;
    if (this.text.firstWord() !== 'select') throw unsupported('statements other than a plain SELECT');
    this.clauses = this.text.clauseStarts();
    this.targets = (stmt.targetList ?? []).map((t: RawNode) => t.ResTarget);
    const listStart = this.text.selectListStart();
    const items = this.text.splitList(listStart, this.nextClause(listStart - 1));
    if (items.length !== this.targets.length) throw unsupported('this select list', 'is');
    this.targetItems = items;
    this.targetExprs = items.map((item, i) => this.withoutAlias(item, this.targets[i].name));
    this.targetsEnd = items.length > 0 ? items[items.length - 1].end : listStart;
    const distinctClause: unknown[] = stmt.distinctClause ?? [];
    this.distinctOn = distinctClause.length > 0 && kindOf(distinctClause[0]) ? distinctClause : undefined;
    this.distinct = distinctClause.length > 0 && !this.distinctOn;
  }

  /** where the clause after `at` starts (or the statement's end) */
  private nextClause(at: number): number {
    let end = this.text.end;
    for (const [word, start] of this.clauses) if (word !== 'select' && start > at && start < end) end = start;
    return end;
  }

  /** where hidden columns go: after the client's last select-list item (alias included) */
  private readonly targetsEnd: number;

  private withoutAlias(item: Range, alias: string | undefined): Range {
    if (!alias) return item;
    const toks = this.text.tokensIn(item.start, item.end);
    let n = toks.length - 1;
    if (toks[n - 1]?.text.toLowerCase() === 'as') n--;
    return { start: item.start, end: toks[n - 1].end };
  }

  private slice(r: Range): string {
    return this.text.slice(r.start, r.end);
  }

  /** the items of a list clause (ORDER BY, GROUP BY), after its keywords */
  private listItems(clause: Clause, keywords: number): Range[] {
    const start = this.clauses.get(clause);
    if (start === undefined) return [];
    const end = this.nextClause(start);
    const toks = this.text.tokensIn(start, end);
    return toks.length > keywords ? this.text.splitList(toks[keywords].start, end) : [];
  }

  private addHidden(sql: string, combine: Combine = { kind: 'first' }): ColumnRef {
    this.hidden.push(sql);
    this.hiddenCombine.push(combine);
    return { hidden: this.hidden.length - 1 };
  }

  private starBefore(i: number): boolean {
    return this.targets.slice(0, i + 1).some((t) => strings(kindOf(t.val)?.[1]?.fields).includes('*'));
  }

  /** the client column an ORDER BY item names: by position, output name or the same expression */
  private clientColumn(node: unknown): ColumnRef | undefined {
    const n = intConst(node);
    if (n !== undefined) {
      if (n < 1 || (!this.starBefore(this.targets.length - 1) && n > this.targets.length)) {
        throw new SqlError(SqlState.invalidColumnReference, `ORDER BY position ${n} is not in select list`);
      }
      return { visible: n - 1 };
    }
    const name = bareColumnName(node);
    if (name !== undefined) {
      const i = this.targets.findIndex((t) => t.name === name);
      if (i >= 0) return this.starBefore(i) ? { name } : { visible: i };
    }
    const same = this.targets.findIndex((t) => sameExpr(t.val, node));
    if (same >= 0 && !this.starBefore(same)) return { visible: same };
    return undefined;
  }

  /** the ORDER BY item's expression text: without ASC/DESC, USING op and NULLS FIRST/LAST */
  private sortExprText(item: Range, sortBy: RawNode): string {
    return this.slice(this.sortExprRange(item, sortBy));
  }

  private sortExprRange(item: Range, sortBy: RawNode): Range {
    const toks = this.text.tokensIn(item.start, item.end);
    let n = toks.length;
    const word = (k: number) => toks[k]?.text.toLowerCase();
    if (sortBy.sortby_nulls !== 'SORTBY_NULLS_DEFAULT' && word(n - 2) === 'nulls') n -= 2;
    if (sortBy.sortby_dir === 'SORTBY_USING') {
      while (n > 0 && word(n - 1) !== 'using') n--;
      n--;
    } else if (sortBy.sortby_dir !== 'SORTBY_DEFAULT' && (word(n - 1) === 'asc' || word(n - 1) === 'desc')) n--;
    return { start: item.start, end: toks[n - 1].end };
  }

  /** DISTINCT ON's expressions as columns (the client's, or hidden) */
  private distinctOnKeys(resolve: (node: unknown, text: string) => ColumnRef): ColumnRef[] | undefined {
    if (!this.distinctOn) return undefined;
    const items = this.text.distinctOnItems();
    if (items.length !== this.distinctOn.length) throw unsupported('this DISTINCT ON', 'is');
    return this.distinctOn.map((node, i) => resolve(node, this.slice(items[i])));
  }

  private sortKeys(resolve: (node: unknown, text: string) => ColumnRef): SortKey[] {
    const sortBy: RawNode[] = (this.stmt.sortClause ?? []).map((s: RawNode) => s.SortBy);
    const items = this.listItems('order', 2);
    if (items.length !== sortBy.length) throw unsupported('this ORDER BY', 'is');
    return sortBy.map((s, i) => {
      let desc = s.sortby_dir === 'SORTBY_DESC';
      if (s.sortby_dir === 'SORTBY_USING') {
        const op = strings(s.useOp).pop();
        if (op !== '<' && op !== '>') throw unsupported('ORDER BY … USING operators other than < and >');
        desc = op === '>';
      }
      const nullsFirst = s.sortby_nulls === 'SORTBY_NULLS_FIRST' || (s.sortby_nulls !== 'SORTBY_NULLS_LAST' && desc);
      return { col: resolve(s.node, this.sortExprText(items[i], s)), desc, nullsFirst };
    });
  }

  /** the text of a LIMIT, OFFSET or FETCH FIRST count expression (undefined: none written) */
  private boundText(clause: 'limit' | 'offset' | 'fetch'): string | undefined {
    const start = this.clauses.get(clause);
    if (start === undefined) return undefined;
    let toks = this.text.tokensIn(start, this.nextClause(start)).slice(1);
    if (clause === 'fetch') {
      toks = toks.slice(1);
      const stop = toks.findIndex((t) => /^rows?$/i.test(t.text));
      toks = toks.slice(0, stop < 0 ? toks.length : stop);
    } else if (clause === 'offset' && /^rows?$/i.test(toks[toks.length - 1]?.text ?? '')) {
      toks = toks.slice(0, -1);
    }
    return toks.length === 0 ? undefined : this.text.slice(toks[0].start, toks[toks.length - 1].end);
  }

  /** a LIMIT/OFFSET for the merge; `sql` is what the shard may use in its own LIMIT */
  private bound(node: unknown, clauses: readonly ('limit' | 'offset' | 'fetch')[]): { bound: Bound; sql?: string } {
    const k = kindOf(node);
    // none written, LIMIT ALL or LIMIT NULL (FETCH FIRST ROW ONLY parses as the constant 1)
    if (!k || (k[0] === 'A_Const' && k[1].isnull)) return { bound: { kind: 'none' } };
    const n = intConst(node);
    if (n !== undefined) return { bound: { kind: 'const', n: BigInt(n) }, sql: String(n) };
    const text = clauses.map((c) => this.boundText(c)).find((t) => t !== undefined);
    if (text === undefined) throw unsupported('this LIMIT/OFFSET', 'is');
    const sql = `(${text})::bigint`;
    return { bound: { kind: 'column', col: this.addHidden(sql) }, sql };
  }

  private limitAndOffset(): { limit: Bound; offset: Bound; shardLimit?: string } {
    const limit = this.bound(this.stmt.limitCount, ['limit', 'fetch']);
    const offset = this.bound(this.stmt.limitOffset, ['offset']);
    if (limit.bound.kind === 'none') return { limit: limit.bound, offset: offset.bound };
    let shardLimit = limit.sql!;
    if (offset.bound.kind === 'const' && limit.bound.kind === 'const') shardLimit = String(limit.bound.n + offset.bound.n);
    else if (offset.bound.kind !== 'none') shardLimit = `${limit.sql} + ${offset.sql}`;
    return { limit: limit.bound, offset: offset.bound, shardLimit };
  }

  private hiddenColumnsSql(): string {
    const list = this.hidden.map((h, i) => `${h} AS "?quiver_merge_${i + 1}"`).join(', ');
    if (list === '') return '';
    // SELECT FROM t (no columns) gets its hidden ones as its whole list
    return this.targets.length > 0 ? `, ${list}` : ` ${list} `;
  }

  private cutAt(...clauses: Clause[]): number {
    return Math.min(this.text.end, ...clauses.map((c) => this.clauses.get(c) ?? Infinity));
  }

  /** rows per shard, merged by concatenation, then DISTINCT, ORDER BY and LIMIT/OFFSET */
  planRows(): FanoutPlan {
    const resolve = (node: unknown, text: string): ColumnRef => {
      const col = this.clientColumn(node);
      if (col) return col;
      if (this.distinct) {
        throw new SqlError(SqlState.invalidColumnReference, 'for SELECT DISTINCT, ORDER BY expressions must appear in select list');
      }
      return this.addHidden(text);
    };
    const sort = this.sortKeys(resolve);
    const distinctOn = this.distinctOnKeys(resolve);
    const { limit, offset, shardLimit } = this.limitAndOffset();
    const { targetsEnd } = this;
    const cut = this.cutAt('limit', 'offset', 'fetch');
    const shardSql = this.text.slice(this.text.start, targetsEnd) + this.hiddenColumnsSql() +
      this.text.slice(targetsEnd, cut).trimEnd() + (shardLimit !== undefined ? ` LIMIT ${shardLimit}` : '');
    const spec: MergeSpec = { hiddenCount: this.hidden.length, distinct: this.distinct, distinctOn, sort, limit, offset };
    // without DISTINCT [ON] the rows need no memory of each other: the router may stream them
    const stream = this.distinct || distinctOn ? undefined : { hiddenCount: spec.hiddenCount, sort, limit, offset };
    return { shardSql, merge: (results: readonly ShardResult[]) => mergeShardResults(results, spec), steps: this.steps(spec), ...(stream ? { stream } : {}) };
  }

  /** a hidden partial aggregate for an aggregate call in HAVING or ORDER BY */
  private partialAggregate(call: RawNode): ColumnRef {
    const range = this.text.callRange(call.location);
    if (!range) throw unsupported('this aggregate call', 'is');
    const name = funcName(call)!;
    if (name !== 'avg') return this.addHidden(this.slice(range), { kind: name === 'every' ? 'bool_and' : name as 'count' });
    const args = this.text.slice(range.args, range.end);
    const sum = this.addHidden(`sum${args}`, { kind: 'sum' });
    const count = this.addHidden(`count${args}`, { kind: 'count' });
    return this.addHidden(this.slice(range), { kind: 'avg', sum, count });
  }

  private checkAggregate(call: RawNode): void {
    const name = funcName(call);
    if (call.agg_within_group) throw unsupported('ordered-set aggregates');
    if (name === undefined || !MERGEABLE_AGGREGATES.has(name)) throw unsupported(`aggregate ${strings(call.funcname).join('.')}()`, 'is');
    if (call.agg_distinct && !['min', 'max', 'bool_and', 'bool_or', 'every'].includes(name) && !this.shape.coversKey(call.args ?? [])) {
      throw new SqlError(SqlState.featureNotSupported,
        `${name}(DISTINCT …) over sharded tables is supported only when its arguments include the distribution key`);
    }
  }

  private havingTerm(node: unknown): HavingTerm {
    const k = kindOf(node);
    if (!k) throw needsFinal('HAVING conditions of this form');
    const [kind, body] = k;
    if (isAggregateCall(kind, body)) return { col: this.partialAggregate(body) };
    if (kind === 'A_Const') return { literal: constText(body) };
    if (kind === 'TypeCast' && kindOf(body.arg)?.[0] === 'A_Const') return { literal: constText(kindOf(body.arg)![1]) };
    if (kind === 'ColumnRef') {
      const range = this.text.columnRange(body.location);
      if (range) return { col: this.addHidden(this.slice(range)) };
    }
    if (kind === 'ParamRef') throw needsFinal('parameters in HAVING');
    throw needsFinal('HAVING conditions of this form');
  }

  /** the text of an aggregate call or column a HAVING compares (undefined: another form) */
  private operandText(node: unknown): string | undefined {
    const k = kindOf(node);
    if (!k) return undefined;
    const range = isAggregateCall(k[0], k[1]) ? this.text.callRange(k[1].location)
      : k[0] === 'ColumnRef' ? this.text.columnRange(k[1].location) : undefined;
    return range && this.slice(range);
  }

  /**
   * `count(*) > $1`: the merge has no parameter values, so each shard returns $1 as a hidden
   * column, typed as PostgreSQL types it in the comparison (as the other operand: a CASE
   * whose other branch is that operand resolves the parameter to the operand's type).
   */
  private paramTerm(param: unknown, other: unknown): HavingTerm {
    const text = this.operandText(other);
    if (text === undefined) throw needsFinal('parameters in HAVING compared with anything but an aggregate or a column');
    return { col: this.addHidden(`CASE WHEN false THEN ${text} ELSE $${kindOf(param)![1].number} END`) };
  }

  private having(node: unknown): HavingExpr {
    const k = kindOf(node);
    if (k?.[0] === 'BoolExpr') {
      const args = (k[1].args as unknown[]).map((a) => this.having(a));
      if (k[1].boolop === 'NOT_EXPR') return { op: 'not', arg: args[0] };
      return { op: k[1].boolop === 'AND_EXPR' ? 'and' : 'or', args };
    }
    if (k?.[0] === 'A_Expr' && k[1].kind === 'AEXPR_OP') {
      const cmp = COMPARISONS.get(strings(k[1].name).join('.'));
      if (cmp && k[1].lexpr) {
        const [l, r] = [k[1].lexpr, k[1].rexpr];
        if (kindOf(r)?.[0] === 'ParamRef') return { op: 'cmp', cmp, left: this.havingTerm(l), right: this.paramTerm(r, l) };
        if (kindOf(l)?.[0] === 'ParamRef') return { op: 'cmp', cmp, left: this.paramTerm(l, r), right: this.havingTerm(r) };
        return { op: 'cmp', cmp, left: this.havingTerm(l), right: this.havingTerm(r) };
      }
    }
    if (k?.[0] === 'NullTest') return { op: 'isnull', negated: k[1].nulltesttype === 'IS_NOT_NULL', arg: this.havingTerm(k[1].arg) };
    return { op: 'bool', term: this.havingTerm(node) };
  }

  /** GROUP BY items as expressions (GROUP BY 1 and GROUP BY alias name the select list's) */
  groupExprs(): { node: unknown; text: () => string }[] {
    const items = this.listItems('group', 2);
    const nodes: unknown[] = this.stmt.groupClause ?? [];
    if (items.length !== nodes.length) throw unsupported('this GROUP BY', 'is');
    return nodes.map((node, i) => {
      const n = intConst(node);
      const name = bareColumnName(node);
      const t = n !== undefined ? n - 1 : name !== undefined ? this.targets.findIndex((x) => x.name === name) : -1;
      if (t >= 0 && t < this.targets.length) return { node: this.targets[t].val, text: () => this.slice(this.targetExprs[t]) };
      return { node, text: () => this.slice(items[i]) };
    });
  }

  /** partial aggregation per shard, combined per group by the merge */
  planAggregate(): FanoutPlan {
    const combine: Combine[] = this.targets.map((t) => {
      if (strings(kindOf(t.val)?.[1]?.fields).includes('*')) throw unsupported('SELECT * with aggregates');
      const k = kindOf(t.val)!;
      if (aggregateCalls(t.val).length === 0) return { kind: 'first' };
      if (!isAggregateCall(k[0], k[1])) throw needsFinal('expressions over aggregates in the select list');
      const name = funcName(k[1])!;
      if (name !== 'avg') return { kind: name === 'every' ? 'bool_and' : name as 'count' };
      const range = this.text.callRange(k[1].location);
      if (!range) throw unsupported('this aggregate call', 'is');
      const args = this.text.slice(range.args, range.end);
      return { kind: 'avg', sum: this.addHidden(`sum${args}`, { kind: 'sum' }), count: this.addHidden(`count${args}`, { kind: 'count' }) };
    });
    const keys = this.groupExprs().map((g) => this.addHidden(g.text()));
    const having = this.stmt.havingClause ? this.having(this.stmt.havingClause) : undefined;
    const resolve = (node: unknown, text: string): ColumnRef => {
      const col = this.clientColumn(node);
      if (col) return col;
      if (this.distinct) {
        throw new SqlError(SqlState.invalidColumnReference, 'for SELECT DISTINCT, ORDER BY expressions must appear in select list');
      }
      const k = kindOf(node);
      if (k && isAggregateCall(k[0], k[1])) return this.partialAggregate(k[1]);
      if (aggregateCalls(node).length > 0) throw needsFinal('ORDER BY and DISTINCT ON expressions over aggregates');
      return this.addHidden(text);
    };
    const sort = this.sortKeys(resolve);
    const distinctOn = this.distinctOnKeys(resolve);
    const { limit, offset } = this.limitAndOffset();
    const { targetsEnd } = this;
    const cut = this.cutAt('having', 'order', 'limit', 'offset', 'fetch');
    // no DISTINCT [ON] on the shards: it applies to whole groups, after the merge
    const shardSql = 'SELECT ' + this.text.slice(this.text.selectListStart(), targetsEnd) + this.hiddenColumnsSql() +
      this.text.slice(targetsEnd, cut).trimEnd();
    const spec: MergeSpec = {
      hiddenCount: this.hidden.length,
      grouping: { keys, combine: [...combine, ...this.hiddenCombine], having },
      distinct: this.distinct, distinctOn, sort, limit, offset,
    };
    return { shardSql, merge: (results: readonly ShardResult[]) => mergeShardResults(results, spec), steps: this.steps(spec) };
  }

  /**
   * Expressions over aggregates: each shard returns its groups' keys and partial aggregates,
   * the merge combines them per group, and shard 0 runs the client's clauses over the
   * combined groups (fanout-final.ts), each aggregate call and group key written as a column.
   */
  planFinal(): FanoutPlan {
    const groups = this.groupExprs();
    const keys = groups.map((g) => this.addHidden(g.text()));
    const aggregates: { node: RawNode; col: ColumnRef }[] = [];
    const subs: Substitution[] = [];
    const groupOfColumn = (body: RawNode): number => {
      const same = groups.findIndex((g) => sameExpr(g.node, { ColumnRef: body }));
      if (same >= 0) return same;
      // `a.tenant` for GROUP BY tenant (or the other way): the one grouped column of that name
      const name = strings(body.fields).pop();
      const named = groups.flatMap((g, i) => (kindOf(g.node)?.[0] === 'ColumnRef' && strings(kindOf(g.node)![1].fields).pop() === name ? [i] : []));
      return named.length === 1 ? named[0]! : -1;
    };
    const rewrite = (node: unknown, whole?: Range): void => {
      if (node === undefined || node === null) return;
      const group = groups.findIndex((g) => sameExpr(g.node, node));
      if (whole && group >= 0) {
        subs.push({ ...whole, text: groupColumn(group) });
        return;
      }
      walk(node, (kind, body) => {
        if (kind === 'SubLink') throw unsupported('subqueries in expressions over aggregates');
        // a GROUP BY expression inside a larger one: `to_char(date_trunc('day', t), …)`
        if (kind !== 'ColumnRef') {
          const g = groups.findIndex((x) => sameExpr(x.node, { [kind]: body }));
          const range = g >= 0 ? this.expressionRange({ [kind]: body }) : undefined;
          if (range) {
            subs.push({ ...range, text: groupColumn(g) });
            return false;
          }
        }
        if (isAggregateCall(kind, body)) {
          const range = this.text.callRange(body.location);
          if (!range) throw unsupported('this aggregate call', 'is');
          let a = aggregates.findIndex((x) => sameExpr(x.node, body));
          if (a < 0) a = aggregates.push({ node: body, col: this.partialAggregate(body) }) - 1;
          subs.push({ start: range.start, end: range.end, text: aggregateColumn(a) });
          return false;
        }
        if (kind === 'ColumnRef') {
          const g = groupOfColumn(body);
          const range = this.text.columnRange(body.location);
          if (g < 0 || !range) throw unsupported('columns outside GROUP BY in expressions over aggregates');
          subs.push({ ...range, text: groupColumn(g) });
          return false;
        }
        return true;
      });
    };
    this.targets.forEach((t, i) => rewrite(t.val, this.targetExprs[i]));
    const distinctItems = this.text.distinctOnItems();
    (this.distinctOn ?? []).forEach((node, i) => rewrite(node, distinctItems[i]));
    if (this.stmt.havingClause) rewrite(this.stmt.havingClause);
    const sortBy: RawNode[] = (this.stmt.sortClause ?? []).map((x: RawNode) => x.SortBy);
    const sortItems = this.listItems('order', 2);
    sortBy.forEach((x, i) => {
      // ORDER BY 2 and ORDER BY <output name> name the final statement's own columns
      if (intConst(x.node) !== undefined) return;
      const bare = bareColumnName(x.node);
      if (bare !== undefined && this.targets.some((t) => t.name === bare)) return;
      rewrite(x.node, sortItems[i] && this.sortExprRange(sortItems[i], x));
    });
    for (const bound of [this.stmt.limitCount, this.stmt.limitOffset]) if (aggregateCalls(bound).length > 0) throw unsupported('aggregates in LIMIT/OFFSET');
    subs.sort((a, b) => a.start - b.start);
    const rewritten = (from: number, to: number): string => {
      let out = '', at = from;
      for (const s of subs) {
        if (s.start < from || s.end > to || s.start < at) continue;
        out += this.text.slice(at, s.start) + s.text;
        at = s.end;
      }
      return out + this.text.slice(at, to);
    };
    const listStart = this.text.selectListStart();
    const selectWordEnd = this.text.tokensIn(this.text.start, listStart)[0]?.end ?? listStart;
    const havingStart = this.clauses.get('having');
    const havingBody = havingStart === undefined ? undefined : this.text.tokensIn(havingStart, this.nextClause(havingStart))[1]?.start;
    const tailStart = this.cutAt('order', 'limit', 'offset', 'fetch');
    const distinct = rewritten(selectWordEnd, listStart).trim();
    const final: FinalStatement = {
      distinct: distinct === '' ? '' : `${distinct} `,
      items: this.targets.map((t, i) => ({ text: rewritten(this.targetItems[i].start, this.targetItems[i].end), aliased: t.name !== undefined })),
      having: havingBody === undefined ? undefined : rewritten(havingBody, this.nextClause(havingStart!)).trim(),
      tail: rewritten(tailStart, this.text.end).trim(),
      groupKeys: keys.map((k) => (k as { hidden: number }).hidden),
      aggregates: aggregates.map((a) => (a.col as { hidden: number }).hidden),
    };
    // the shard statement has no client select list: its GROUP BY names the key columns by position
    const cut = this.cutAt('group', 'having', 'window', 'order', 'limit', 'offset', 'fetch');
    const groupBy = keys.length > 0 ? ' GROUP BY ' + keys.map((_, k) => k + 1).join(', ') : '';
    const shardSql = 'SELECT ' + this.hidden.map((h, i) => `${h} AS "?quiver_merge_${i + 1}"`).join(', ') + ' ' +
      this.text.slice(this.targetsEnd, cut).trim() + groupBy;
    // the shards' rows are all merge columns: group them as the client's columns
    const visible = (ref: ColumnRef): ColumnRef => ('hidden' in ref ? { visible: ref.hidden } : ref);
    const combine = this.hiddenCombine.map((c): Combine => (c.kind === 'avg' ? { kind: 'avg', sum: visible(c.sum), count: visible(c.count) } : c));
    const spec: MergeSpec = {
      hiddenCount: 0, grouping: { keys: keys.map(visible), combine }, distinct: false, sort: [],
      limit: { kind: 'none' }, offset: { kind: 'none' },
    };
    const merge = (results: readonly ShardResult[]) => mergeShardResults(results, spec);
    return {
      shardSql,
      merge: () => { throw new SqlError(SqlState.internalError, 'this fan-out plan finishes on shard 0'); },
      finish: (results, shard0) => runFinalStatement(final, merge(results), shard0),
      steps: { ...this.steps(spec), groupKeys: groups.map((g) => g.text()), having: undefined, finalOnShard0: true },
    };
  }

  /** the merge in the client's words, for EXPLAIN */
  private steps(spec: MergeSpec): MergeSteps {
    const text = (ref: ColumnRef): string => ('visible' in ref ? this.slice(this.targetExprs[ref.visible]!) : 'hidden' in ref ? this.hidden[ref.hidden]! : ref.name);
    const bound = (b: Bound): string | undefined => (b.kind === 'const' ? String(b.n) : b.kind === 'column' ? text(b.col) : undefined);
    const sortKey = (k: SortKey): string => text(k.col) + (k.desc ? ' DESC' : '') + (k.nullsFirst !== k.desc ? (k.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST') : '');
    const havingAt = this.clauses.get('having');
    const havingBody = havingAt === undefined ? [] : this.text.tokensIn(havingAt, this.nextClause(havingAt)).slice(1);
    const output = this.targetExprs.map((r) => this.slice(r));
    return {
      output: output.some((o) => /(^|\.)\*$/.test(o)) ? [] : output,
      merge: spec.grouping ? 'combine' : 'concatenate',
      groupKeys: (spec.grouping?.keys ?? []).map(text),
      having: spec.grouping && havingBody.length > 0 ? this.text.slice(havingBody[0]!.start, havingBody[havingBody.length - 1]!.end) : undefined,
      distinct: spec.distinct,
      distinctOn: (spec.distinctOn ?? []).map(text),
      sortKeys: spec.sort.map(sortKey),
      limit: bound(spec.limit),
      offset: bound(spec.offset),
      finalOnShard0: false,
    };
  }

  /** where an expression node is written (undefined: not found for sure) */
  private expressionRange(node: unknown): Range | undefined {
    const locations: number[] = [];
    const collect = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(collect);
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (k === 'location' && typeof x === 'number' && x >= 0) locations.push(x);
          else collect(x);
        }
      }
    };
    collect(node);
    if (locations.length === 0) return undefined;
    // the candidate that parses back to the same expression
    return this.text.expressionCandidates(Math.min(...locations), Math.max(...locations)).find((r) => {
      try {
        const stmt = (pg.parseSync(`SELECT ${this.slice(r)}`).stmts?.[0]?.stmt as RawNode | undefined)?.SelectStmt;
        return stmt?.targetList?.length === 1 && sameExpr(stmt.targetList[0].ResTarget.val, node);
      } catch {
        return false;
      }
    });
  }

  plan(): FanoutPlan {
    try {
      return this.planMerged();
    } catch (e) {
      if (!(e instanceof NeedsFinalStatement)) throw e;
      return new Planner(this.text, this.stmt, this.shape).planFinal();
    }
  }

  private planMerged(): FanoutPlan {
    const stmt = this.stmt;
    const calls = aggregateCalls([stmt.targetList, stmt.havingClause, stmt.sortClause]);
    for (const c of calls) this.checkAggregate(c);
    if (stmt.groupDistinct) throw unsupported('GROUP BY DISTINCT', 'is');
    const grouped = (stmt.groupClause?.length ?? 0) > 0;
    if (calls.length === 0 && !grouped && !stmt.havingClause) return this.planRows();
    // every group on one shard: the shards' groups are the answer's
    if (grouped && this.shape.coversKey(this.groupExprs().map((g) => g.node))) return this.planRows();
    return this.planAggregate();
  }
}

export const planFanout: PlanFanout = (sql, parsed, tableOf: TableOf) => {
  try {
    const { stmt, offset, length } = selectOf(parsed);
    const shape = checkShape(stmt, tableOf);
    if (shape instanceof SqlError) return shape;
    const text = new SelectText(sql, offset, length);
    if (text.firstWord() === 'table') {
      // TABLE t … is SELECT * FROM t …
      const asSelect = 'SELECT * FROM ' + text.slice(text.start, text.end).replace(/^\s*table\b/i, '');
      return planFanout(asSelect, pg.parseSync(asSelect), tableOf);
    }
    return new Planner(text, stmt, shape).plan();
  } catch (e) {
    if (e instanceof SqlError) return e;
    throw e;
  }
};
