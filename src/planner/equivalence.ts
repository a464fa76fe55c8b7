/**
 * Equalities implied through an inner join's key, as PostgreSQL's equivalence classes
 *
 *   SELECT … FROM t a JOIN t b ON a.id = b.id WHERE a.id = 5
 *
 * `a.id = b.id` and `a.id = 5` put a.id, b.id and 5 in one class, so `b.id = 5` holds too:
 * both inputs become key lookups instead of one lookup joined to a scan of b. As in
 * PostgreSQL (generate_base_implied_equalities_const), a class with a constant is
 * enforced by `member = constant` on every member, and its column-to-column equalities
 * are then redundant and dropped.
 *
 * Only where equality is transitive beyond doubt: columns and values of one type (the
 * type's own `=`), types whose `=` is plain value equality, values that are constants or
 * parameters (a subquery would be run twice), one value per class.
 */
import { OID } from '../types/types.js';
import type { Expr } from './plan.js';

type Column = Extract<Expr, { kind: 'column' }>;
type Call = Extract<Expr, { kind: 'call' }>;

const TRANSITIVE_EQUALITY: ReadonlySet<number> = new Set<number>([
  OID.int2, OID.int4, OID.int8, OID.oid, OID.text, OID.varchar, OID.bpchar, OID.numeric, OID.bool,
  OID.date, OID.timestamp, OID.timestamptz, OID.uuid, OID.inet, OID.macaddr, OID.macaddr8, OID.pg_lsn,
]);

export function sameTypeEquality(e: Expr): Call | undefined {
  if (e.kind !== 'call' || e.name !== '=' || e.args.length !== 2) return undefined;
  const [a, b] = e.args;
  if (a.type.oid !== b.type.oid || !TRANSITIVE_EQUALITY.has(a.type.oid)) return undefined;
  return e;
}

const isColumn = (e: Expr): e is Column => e.kind === 'column' && e.level === 0;
/** a constant or a parameter: one value for the whole execution, as an equivalence class's value */
export const isValue = (e: Expr): boolean => e.kind === 'const' || e.kind === 'param';

/** The conjuncts with each class's value equated to every member; undefined when nothing new follows. */
export function withImpliedEqualities(conjuncts: readonly Expr[]): Expr[] | undefined {
  const parent = new Map<number, number>();
  const find = (i: number): number => {
    let r = i;
    while (parent.get(r) !== undefined && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(i, r);
    return r;
  };
  const columns = new Map<number, Column>();
  const links: Call[] = [];
  const values: { column: Column; template: Call; valueFirst: boolean; value: Expr }[] = [];
  for (const c of conjuncts) {
    const eq = sameTypeEquality(c);
    if (!eq) continue;
    const [a, b] = eq.args;
    if (isColumn(a) && isColumn(b)) {
      columns.set(a.index, a);
      columns.set(b.index, b);
      parent.set(find(a.index), find(b.index));
      links.push(eq);
    } else if (isColumn(a) && isValue(b)) {
      columns.set(a.index, a);
      values.push({ column: a, template: eq, valueFirst: false, value: b });
    } else if (isColumn(b) && isValue(a)) {
      columns.set(b.index, b);
      values.push({ column: b, template: eq, valueFirst: true, value: a });
    }
  }
  if (links.length === 0 || values.length === 0) return undefined;
  // one value per class (two different ones: leave the class alone, the rows are few anyway)
  const classValue = new Map<number, (typeof values)[number] | null>();
  for (const v of values) {
    const root = find(v.column.index);
    const seen = classValue.get(root);
    if (seen === undefined) classValue.set(root, v);
    else if (seen && !sameValue(seen.value, v.value)) classValue.set(root, null);
  }
  const has = new Set(values.map((v) => v.column.index));
  const added: Expr[] = [];
  for (const [index, column] of columns) {
    const v = classValue.get(find(index));
    if (!v || has.has(index) || column.type.oid !== v.column.type.oid) continue;
    added.push({ ...v.template, args: v.valueFirst ? [v.value, column] : [column, v.value] });
  }
  if (added.length === 0) return undefined;
  const redundant = new Set<Expr>(links.filter((l) => classValue.get(find((l.args[0] as Column).index))));
  return [...conjuncts.filter((c) => !redundant.has(c)), ...added];
}

function sameValue(a: Expr, b: Expr): boolean {
  if (a.kind === 'param' && b.kind === 'param') return a.index === b.index;
  if (a.kind === 'const' && b.kind === 'const') return a.value === b.value;
  return false;
}

/**
 * Conditions on an outer join's nullable side implied by the WHERE and the join key
 *
 *   SELECT … FROM c LEFT JOIN o ON o.customer = c.id WHERE c.id = 7
 *
 * Only rows with c.id = 7 reach the output, and o's rows can match them only with
 * o.customer = 7: that filters o before the join (a key lookup instead of a scan of all
 * of o), the ON clause staying as it is — PostgreSQL's reconsider_outer_join_clauses.
 * `kept`: the WHERE's conjuncts on the preserved side; `on`: the ON's conjuncts; `nullable`:
 * is a column of the nullable side. Same restrictions as withImpliedEqualities.
 */
export function impliedOnNullableSide(kept: readonly Expr[], on: readonly Expr[], nullable: (index: number) => boolean): Expr[] {
  const values = new Map<number, { template: Call; valueFirst: boolean; value: Expr } | null>();
  for (const c of kept) {
    const eq = sameTypeEquality(c);
    if (!eq) continue;
    const [a, b] = eq.args;
    const hit = isColumn(a) && isValue(b) ? { column: a, template: eq, valueFirst: false, value: b }
      : isColumn(b) && isValue(a) ? { column: b, template: eq, valueFirst: true, value: a } : undefined;
    if (!hit || nullable(hit.column.index)) continue;
    const seen = values.get(hit.column.index);
    values.set(hit.column.index, seen === undefined ? hit : seen && sameValue(seen.value, hit.value) ? seen : null);
  }
  const out: Expr[] = [];
  for (const c of on) {
    const eq = sameTypeEquality(c);
    if (!eq || !isColumn(eq.args[0]) || !isColumn(eq.args[1])) continue;
    const [a, b] = eq.args as [Column, Column];
    const [kept_, other] = nullable(a.index) ? [b, a] : [a, b];
    if (nullable(kept_.index) || !nullable(other.index)) continue;
    const v = values.get(kept_.index);
    if (!v) continue;
    out.push({ ...v.template, args: v.valueFirst ? [v.value, other] : [other, v.value] });
  }
  return out;
}
