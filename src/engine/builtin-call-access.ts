/**
 * The built-in functions a bound statement calls, for the EXECUTE check (PostgreSQL's
 * ExecInitFunc / ExecInitAgg / ExecInitWindowAgg): function calls, the functions behind its
 * operators and casts, aggregates, window functions and set-returning functions in FROM or the select
 * list. Only collected while some built-in function's ACL was changed (catalog.procAcls is
 * not empty): otherwise PUBLIC may execute them all and a statement pays nothing.
 */
import type { Catalog } from '../catalog/catalog.js';
import { builtinProcForCall, builtinProcForCast, builtinProcForOperator, type BuiltinProcInfo } from '../catalog/system/builtin-proc-lookup.js';
import type { BuiltinFunctionAccess } from '../sql/bind-select.js';
import type { SqlType } from '../types/types.js';

/** keys that hold no expressions or plans: definitions, types, implementations */
const OPAQUE = new Set(['table', 'fn', 'cmp', 'eq', 'type', 'schema', 'def', 'columns', 'index', 'relation']);

type Node = Record<string, unknown>;
const typesOf = (args: unknown): SqlType[] => (Array.isArray(args) ? args.map((a: { type: SqlType }) => a.type) : []);
const argTypesOf = (fn: unknown): readonly SqlType[] | undefined => (fn as { argTypes?: readonly SqlType[] } | null)?.argTypes;

/** A call's pg_proc row: by name for functions, through pg_operator for an operator (a name of symbols). */
function procOf(name: string, types: readonly SqlType[], kinds: string): BuiltinProcInfo | undefined {
  return /^[A-Za-z_]/.test(name) ? builtinProcForCall(name, types, kinds) : builtinProcForOperator(name, types);
}

/** One node's calls (the tree's shapes: planner/plan.ts). */
function callsOf(n: Node): BuiltinProcInfo[] {
  const name = n.name as string;
  switch (n.kind) {
    case 'call': return [procOf(name, argTypesOf(n.fn) ?? typesOf(n.args), 'f')].filter((p) => p !== undefined);
    case 'cast': return [builtinProcForCast((n.arg as { type: SqlType }).type.oid, (n.type as SqlType).oid)].filter((p) => p !== undefined);
    case 'anyall': return typeof n.op === 'string' ? [builtinProcForOperator(n.op, argTypesOf(n.fn) ?? [])].filter((p) => p !== undefined) : [];
    case 'agg': return [builtinProcForCall(name, argTypesOf(n.fn) ?? typesOf(n.args), 'a')].filter((p) => p !== undefined);
    case 'window': return typeof n.name === 'string' ? [builtinProcForCall(name, typesOf(n.args), 'wa')].filter((p) => p !== undefined) : [];
    case 'functionScan': return [builtinProcForCall(name, typesOf(n.args), 'f')].filter((p) => p !== undefined);
    case 'aggregate':
      return (n.aggs as { name: string; fn: unknown; args: unknown }[]).flatMap((a) => [builtinProcForCall(a.name, argTypesOf(a.fn) ?? typesOf(a.args), 'a')].filter((p) => p !== undefined));
    case 'projectSet':
      return (n.srfs as { name: string; args: unknown }[]).flatMap((f) => [builtinProcForCall(f.name, typesOf(f.args), 'f')].filter((p) => p !== undefined));
    default: return [];
  }
}

/**
 * The built-in functions `bound` (a bound statement: plans, expressions) calls, each once.
 * A walk over the whole tree rather than the plan walker: DML, EXPLAIN, COPY and cursors hold
 * their plans and expressions in fields of their own, and every one of them must be found.
 */
export function builtinCallAccesses(bound: unknown, catalog: Catalog): BuiltinFunctionAccess[] {
  if (catalog.procAcls.size === 0) return [];
  const found = new Map<number, BuiltinProcInfo>();
  const seen = new Set<object>();
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
      return;
    }
    if (Object.getPrototypeOf(v) !== Object.prototype) return;
    const n = v as Node;
    if (typeof n.kind === 'string') for (const p of callsOf(n)) found.set(p.oid, p);
    for (const [k, x] of Object.entries(n)) if (!OPAQUE.has(k)) visit(x);
  };
  visit(bound);
  return [...found.values()].map((p) => ({ builtin: { oid: p.oid, name: p.name, kind: p.kind } }));
}
