/** EXPLAIN output: one line per plan node, indented like PostgreSQL's. */
import type { DmlStatement } from './dml-statement.js';
import type { Expr, Plan } from './plan.js';

export interface ExplainOptions {
  readonly metrics?: Map<Plan, { rows: number; ms: number }>;
  readonly vectorStats?: Map<Plan, { segmentsByIndex: number; segmentsExact: number; widenings: number; exactFallbacks: number; candidates: number }>;
  readonly scanStats?: Map<Plan, { segmentsSkipped: number; sealedSegments: number }>;
  readonly verbose: boolean;
  readonly dml: DmlStatement | null;
  rowCount(tableOid: number): number;
}

export function explainPlan(plan: Plan, opts: ExplainOptions): string[] {
  const lines: string[] = [];
  let depth = 0;
  if (opts.dml) {
    const verb = opts.dml.kind[0].toUpperCase() + opts.dml.kind.slice(1);
    lines.push(`${verb} on ${opts.dml.table.name}`);
    depth = 1;
  }
  walk(plan, depth, lines, opts);
  return lines;
}

/** A key lookup's condition as PostgreSQL prints it: (id = 5), ((a = 1) AND (b = 2)). */
function indexCond(table: Extract<Plan, { kind: 'scan' }>['table'], lookup: NonNullable<Extract<Plan, { kind: 'scan' }>['keyLookup']>): string {
  const columns = table.indexes.find((i) => i.name === lookup.keyName)?.columns ?? [];
  const parts = lookup.values.map((v, i) => `(${table.columns[columns[i]]?.name ?? '?'} = ${exprText(v)})`);
  return parts.length === 1 ? parts[0] : `(${parts.join(' AND ')})`;
}

function label(plan: Plan, opts: ExplainOptions): { title: string; details: string[] } {
  switch (plan.kind) {
    case 'scan':
      if (plan.partitions) {
        return {
          title: `Append on ${plan.table.name}  (partitions: ${plan.partitions.length === 0 ? 'none' : plan.partitions.map((p) => p.name).join(', ')})`,
          details: plan.filter ? [`Filter: ${exprText(plan.filter)}`] : [],
        };
      }
      if (plan.keyLookup) {
        return {
          title: `Index Scan using ${plan.keyLookup.keyName} on ${plan.table.name}`,
          details: [`Index Cond: ${indexCond(plan.table, plan.keyLookup)}`, ...(plan.filter ? [`Filter: ${exprText(plan.filter)}`] : [])],
        };
      }
      return {
        title: `Seq Scan on ${plan.table.name}  (rows=${opts.rowCount(plan.table.oid)})`,
        details: plan.filter ? [`Filter: ${exprText(plan.filter)}`] : [],
      };
    case 'systemScan': return { title: `System Scan on ${plan.relation.name}`, details: [] };
    case 'values': return { title: `Values Scan  (rows=${plan.rows.length})`, details: [] };
    case 'functionScan': return { title: `Function Scan on ${plan.name}`, details: [] };
    case 'filter': return { title: 'Filter', details: [`Filter: ${exprText(plan.predicate)}`] };
    case 'project': return { title: 'Project', details: [] };
    case 'projectSet': return { title: 'ProjectSet', details: [] };
    case 'join': return { title: `Nested Loop / Hash ${plan.joinType[0].toUpperCase()}${plan.joinType.slice(1)} Join`, details: plan.on ? [`Join Filter: ${exprText(plan.on)}`] : [] };
    case 'aggregate': return { title: plan.groupBy.length ? 'HashAggregate' : 'Aggregate', details: plan.groupBy.length ? [`Group Key: ${plan.groupBy.map(exprText).join(', ')}`] : [] };
    case 'window': return { title: 'WindowAgg', details: [] };
    case 'sort': return { title: 'Sort', details: [`Sort Key: ${plan.keys.map((k) => exprText(k.expr) + (k.desc ? ' DESC' : '')).join(', ')}`] };
    case 'topk': {
      const vs = plan.vectorSearch;
      const title = vs
        ? `Vector Top-K (${vs.strategy !== 'exact' ? `${vs.strategy} index ${vs.index!.name}` : 'exact'}, ${vs.operator} on ${vs.column})`
        : 'Top-K';
      return { title, details: [`Sort Key: ${plan.keys.map((k) => exprText(k.expr) + (k.desc ? ' DESC' : '')).join(', ')}`, `Limit: ${exprText(plan.limit)}`] };
    }
    case 'limit': return { title: 'Limit', details: [] };
    case 'distinct': return { title: plan.on ? 'Unique (DISTINCT ON)' : 'HashAggregate (DISTINCT)', details: [] };
    case 'setop': return { title: `${plan.op === 'union' ? (plan.all ? 'Append' : 'Union') : plan.op === 'intersect' ? 'Intersect' : 'Except'}${plan.all ? ' All' : ''}`, details: [] };
    case 'cteScan': return { title: `CTE Scan (cte ${plan.cte.id})`, details: [] };
    case 'recursiveUnion': return { title: `Recursive Union${plan.all ? ' All' : ''}`, details: [] };
    case 'workTableScan': return { title: 'WorkTable Scan', details: [] };
    case 'sqlFunctionScan': return { title: `Function Scan on ${plan.name}`, details: [] };
  }
}

function walk(plan: Plan, depth: number, lines: string[], opts: ExplainOptions): void {
  const { title, details } = label(plan, opts);
  const m = opts.metrics?.get(plan);
  const actual = m ? `  (actual time=${m.ms.toFixed(3)} rows=${m.rows})` : opts.metrics ? '  (never executed)' : '';
  const indent = depth === 0 ? '' : ' '.repeat(depth * 6 - 4) + '->  ';
  lines.push(indent + title + actual);
  const detailIndent = ' '.repeat(depth === 0 ? 2 : depth * 6);
  for (const d of details) lines.push(detailIndent + d);
  const zs = opts.scanStats?.get(plan);
  if (zs) lines.push(`${detailIndent}Zone maps: ${zs.segmentsSkipped} of ${zs.sealedSegments} sealed segments skipped`);
  const vs = opts.vectorStats?.get(plan);
  if (vs) {
    lines.push(`${detailIndent}Segments: ${vs.segmentsByIndex} via index, ${vs.segmentsExact} exact (filter selective); widenings: ${vs.widenings}; exact fallbacks: ${vs.exactFallbacks}; distances computed: ${vs.candidates}`);
  }
  for (const child of children(plan)) walk(child, depth + 1, lines, opts);
}

function children(plan: Plan): Plan[] {
  switch (plan.kind) {
    case 'filter': case 'project': case 'projectSet': case 'aggregate': case 'window':
    case 'sort': case 'topk': case 'limit': case 'distinct':
      return [plan.input];
    case 'join': case 'setop':
      return [plan.left, plan.right];
    case 'cteScan':
      return [plan.cte.plan];
    case 'recursiveUnion':
      return [plan.nonRecursive, plan.recursive];
    case 'sqlFunctionScan':
      return [plan.body];
    default:
      return [];
  }
}

/** A readable rendering of an expression for EXPLAIN. */
export function exprText(e: Expr | null): string {
  if (!e) return '';
  switch (e.kind) {
    case 'const': return e.value === null ? 'NULL' : typeof e.value === 'string' ? `'${e.value}'` : e.value instanceof Float32Array ? `'[${Array.from(e.value).join(',')}]'` : String(e.value);
    case 'param': return `$${e.index + 1}`;
    case 'column': return e.name || `#${e.index}`;
    case 'call': return /^[a-z_]/.test(e.name) ? `${e.name}(${e.args.map(exprText).join(', ')})` : e.args.length === 1 ? `${e.name} ${exprText(e.args[0])}` : `(${exprText(e.args[0])} ${e.name} ${exprText(e.args[1])})`;
    case 'cast': return exprText(e.arg);
    case 'and': case 'or': return `(${e.args.map(exprText).join(` ${e.kind.toUpperCase()} `)})`;
    case 'not': return `(NOT ${exprText(e.arg)})`;
    case 'isnull': return `(${exprText(e.arg)} IS ${e.negate ? 'NOT ' : ''}NULL)`;
    case 'subquery': case 'insubquery': return '(SubPlan)';
    default: return e.kind;
  }
}
