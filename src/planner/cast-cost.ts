/**
 * What evaluating a cast costs, as PostgreSQL's cost_qual_eval charges the node its cast
 * becomes (pg_cast.castmethod): a binary-coercible cast is a RelabelType, free; a cast by a
 * function costs that call; a cast with no pg_cast row to or from a string type goes
 * through text (CoerceViaIO: the source type's output function, then the target's input
 * function, two calls) — `a.id::text` costs 2 × cpu_operator_cost.
 */
import { BUILTIN_CASTS } from '../catalog/system/builtin-catalogs.js';
import { typeByName, typeInfo, type TypeInfo } from '../types/types.js';

let methods: Map<string, string> | undefined;

/** pg_cast.castmethod by source and target type OID: 'f' function, 'b' binary, 'i' through text. */
function castMethod(from: number, to: number): string | undefined {
  if (!methods) {
    methods = new Map();
    for (const [, source, target, , , method] of BUILTIN_CASTS) {
      const s = typeByName(source), t = typeByName(target);
      if (s && t) methods.set(`${s.oid}>${t.oid}`, method);
    }
  }
  return methods.get(`${from}>${to}`);
}

function info(oid: number): TypeInfo | undefined {
  try {
    return typeInfo(oid);
  } catch {
    return undefined;
  }
}

/** Calls a cast from `from` to `to` makes (multiples of cpu_operator_cost). */
export function castCalls(from: number, to: number): number {
  // the same type: a length coercion (varchar(n), numeric(p, s)) by its function
  if (from === to) return 1;
  const method = castMethod(from, to);
  if (method === 'b') return 0;
  if (method === 'i') return 2;
  if (method === 'f') return 1;
  const a = info(from), b = info(to);
  // no pg_cast row: to or from a string type PostgreSQL coerces through text
  if (a && b && !a.elem && !b.elem && (a.category === 'S' || b.category === 'S')) return 2;
  return 1;
}
