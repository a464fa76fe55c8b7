/**
 * A statement's parse tree with its parameters replaced by their values, as typed literals
 * (`'3'::pg_catalog.int4`): what PostgreSQL's custom plan of a prepared statement is planned
 * from — the planner sees the values (selectivity, partition pruning, folding) and EXPLAIN
 * prints them where the generic plan prints `$1`.
 */
import type { Node } from '@pgsql/types';
import { formatText } from '../types/text-io.js';
import { OID, typeInfo, type SqlType, type Value } from '../types/types.js';
import { domainEntry, domainOfArray } from '../types/user-types.js';

/** pgvector's types live in public, not pg_catalog */
const VECTOR_TYPES = new Set<number>([OID.vector, OID._vector, OID.halfvec, OID._halfvec, OID.sparsevec, OID._sparsevec]);

type RawNode = Record<string, unknown>;

function typeName(oid: number): string | undefined {
  try {
    return typeInfo(oid).name;
  } catch {
    return undefined; // a type Quiver has no name for (a user-defined one): no custom plan
  }
}

/** `node` with every `$n` the literal of values[n-1] cast to types[n-1]; undefined when a type has no name to cast to. */
export function paramsAsConstants(node: Node, values: readonly Value[], types: readonly SqlType[]): Node | undefined {
  const literals: RawNode[] = [];
  for (let i = 0; i < values.length; i++) {
    const name = typeName(types[i].oid);
    if (!name) return undefined;
    // built-in types by their pg_catalog name; pgvector's (in public) by their own name; a domain (or d[]) by its own
    const domain = types[i].domain === undefined ? undefined : domainEntry(types[i].domain!) ?? domainOfArray(types[i].domain!);
    const names = domain ? [domain.schema, domain.name] : VECTOR_TYPES.has(types[i].oid) ? [name] : ['pg_catalog', name];
    const cast = { names: names.map((sval) => ({ String: { sval } })), typemod: -1, ...(domain && domain.oid !== types[i].domain ? { arrayBounds: [{ Integer: { ival: -1 } }] } : {}) };
    const v = values[i];
    literals.push({ TypeCast: { arg: v === null ? { A_Const: { isnull: true } } : { A_Const: { sval: { sval: formatText(types[i], v) } } }, typeName: cast } });
  }
  const replace = (n: unknown): unknown => {
    if (Array.isArray(n)) return n.map(replace);
    if (!n || typeof n !== 'object') return n;
    const o = n as RawNode;
    const ref = o.ParamRef as { number?: number } | undefined;
    if (ref) return literals[(ref.number ?? 0) - 1] ?? o;
    const out: RawNode = {};
    for (const [k, v] of Object.entries(o)) out[k] = replace(v);
    return out;
  };
  return replace(node) as Node;
}
