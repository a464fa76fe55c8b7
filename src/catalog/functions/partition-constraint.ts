/**
 * pg_get_partition_constraintdef: the implicit constraint of a partition as PostgreSQL's
 * partbounds.c builds it (get_qual_for_list / get_qual_for_range / get_qual_for_hash, the
 * parent's constraint first) and ruleutils.c prints it without pretty-printing: every
 * operator, test and boolean in parentheses, constants as get_const_expr labels them.
 */
import { OID, formatTypeWithTypmod, type SqlType, type Value } from '../../types/types.js';
import { formatText } from '../../types/text-io.js';
import { quoteIdent } from '../../types/identifiers.js';
import type { Catalog, TableDef } from '../catalog.js';
import { childPartitions, type BoundDatum, type PartitionBound } from '../partitions.js';
import { compareValues } from '../../types/compare.js';

interface Key { readonly col: string; readonly type: SqlType }

/** The constraint's text, or null for a table that is not a partition. */
export function partitionConstraintDef(catalog: Catalog, table: TableDef): string | null {
  const quals = partitionQuals(catalog, table);
  if (quals.length === 0) return null;
  return quals.length === 1 ? quals[0] : `(${quals.join(' AND ')})`;
}

/** generate_partition_qual: the parent's conjuncts, then this partition's */
function partitionQuals(catalog: Catalog, table: TableDef): string[] {
  if (!table.partitionOf) return [];
  const parent = catalog.tables.get(table.partitionOf.parent);
  if (!parent?.partition) return [];
  const keys: Key[] = parent.partition.columns.map((c) => ({ col: quoteIdent(parent.columns[c].name), type: parent.columns[c].type }));
  const bound = table.partitionOf.bound;
  const siblings = childPartitions(catalog, parent).filter((c) => c.partitionOf!.bound.kind !== 'default').map((c) => c.partitionOf!.bound);
  return [...partitionQuals(catalog, parent), ...ownQuals(parent, keys, bound, siblings)];
}

function ownQuals(parent: TableDef, keys: readonly Key[], bound: PartitionBound, siblings: readonly PartitionBound[]): string[] {
  const strategy = parent.partition!.strategy;
  if (strategy === 'hash' && bound.kind === 'hash') {
    return [`satisfies_hash_partition('${parent.oid}'::oid, ${bound.modulus}, ${bound.remainder}, ${keys.map((k) => k.col).join(', ')})`];
  }
  if (strategy === 'list') return listQuals(keys[0], bound, siblings);
  if (strategy === 'range') return bound.kind === 'default' ? rangeDefaultQuals(keys, siblings) : bound.kind === 'range' ? [...nullTests(keys), ...rangeQuals(keys, bound)] : [];
  return [];
}

function listQuals(key: Key, bound: PartitionBound, siblings: readonly PartitionBound[]): string[] {
  let values: Value[];
  if (bound.kind === 'default') {
    // the other partitions' values, sorted as the partition descriptor keeps them
    values = siblings.flatMap((b) => (b.kind === 'list' ? b.values : []));
    values = [...values.filter((v) => v !== null)].sort((a, b) => compareValues(key.type, a, b)).concat(values.filter((v) => v === null));
  } else if (bound.kind === 'list') {
    values = [...bound.values];
  } else {
    return [];
  }
  const hasNull = values.some((v) => v === null);
  const elems = values.filter((v) => v !== null);
  const op = elems.length === 0 ? undefined
    : elems.length === 1 ? `(${key.col} = ${constant(key.type, elems[0])})`
      : `(${key.col} = ANY (ARRAY[${elems.map((v) => constant(key.type, v)).join(', ')}]))`;
  let result: string[];
  if (!hasNull) result = op ? [`(${key.col} IS NOT NULL)`, op] : [`(${key.col} IS NOT NULL)`];
  else result = [op ? `((${key.col} IS NULL) OR ${op})` : `(${key.col} IS NULL)`];
  if (bound.kind === 'default') return [`(NOT ${andExplicit(result)})`];
  return result;
}

function nullTests(keys: readonly Key[]): string[] {
  return keys.map((k) => `(${k.col} IS NOT NULL)`);
}

/** get_qual_for_range for one partition (without its IS NOT NULL tests) */
function rangeQuals(keys: readonly Key[], bound: Extract<PartitionBound, { kind: 'range' }>): string[] {
  const result: string[] = [];
  const value = (d: BoundDatum): Value | undefined => (typeof d === 'object' ? d.value : undefined);
  // leading columns whose lower and upper values are equal: col = value
  let i = 0;
  for (; i < keys.length; i++) {
    const lo = bound.from[i], hi = bound.to[i];
    if (typeof lo !== 'object' || typeof hi !== 'object') break;
    if (compareValues(keys[i].type, lo.value, hi.value) !== 0) break;
    result.push(`(${keys[i].col} = ${constant(keys[i].type, lo.value)})`);
  }
  const lowerArms: string[] = [];
  const upperArms: string[] = [];
  let needLower = true, needUpper = true;
  for (let arm = 0; arm < keys.length - i; arm++) {
    const lowerArgs: string[] = [];
    const upperArgs: string[] = [];
    for (let j = i; j < keys.length; j++) {
      const lo = bound.from[j], hi = bound.to[j];
      const loNext = bound.from[j + 1], hiNext = bound.to[j + 1];
      const k = keys[j];
      const lowerOp = j - i < arm ? '=' : j === keys.length - 1 || loNext === 'minvalue' ? '>=' : '>';
      if (needLower && value(lo) !== undefined) lowerArgs.push(`(${k.col} ${lowerOp} ${constant(k.type, value(lo)!)})`);
      const upperOp = j - i < arm ? '=' : hiNext === 'maxvalue' ? '<=' : '<';
      if (needUpper && value(hi) !== undefined) upperArgs.push(`(${k.col} ${upperOp} ${constant(k.type, value(hi)!)})`);
      if (j + 1 - i > arm) {
        // no further arms once the next column (or this one) is unbounded
        if (value(lo) === undefined || loNext === undefined || typeof loNext !== 'object') needLower = false;
        if (value(hi) === undefined || hiNext === undefined || typeof hiNext !== 'object') needUpper = false;
        break;
      }
    }
    if (lowerArgs.length > 0) lowerArms.push(lowerArgs.length > 1 ? `(${lowerArgs.join(' AND ')})` : lowerArgs[0]);
    if (upperArgs.length > 0) upperArms.push(upperArgs.length > 1 ? `(${upperArgs.join(' AND ')})` : upperArgs[0]);
    if (!needLower && !needUpper) break;
  }
  if (lowerArms.length > 0) result.push(lowerArms.length > 1 ? `(${lowerArms.join(' OR ')})` : lowerArms[0]);
  if (upperArms.length > 0) result.push(upperArms.length > 1 ? `(${upperArms.join(' OR ')})` : upperArms[0]);
  return result;
}

/** A default range partition: NOT (the keys are not null AND some other partition takes the row) */
function rangeDefaultQuals(keys: readonly Key[], siblings: readonly PartitionBound[]): string[] {
  const arms = siblings.filter((b): b is Extract<PartitionBound, { kind: 'range' }> => b.kind === 'range').map((b) => andExplicit(rangeQuals(keys, b)));
  if (arms.length === 0) return [];
  const others = arms.length > 1 ? `(${arms.join(' OR ')})` : arms[0];
  return [`(NOT ${andExplicit([...nullTests(keys), others])})`];
}

function andExplicit(quals: readonly string[]): string {
  return quals.length === 1 ? quals[0] : `(${quals.join(' AND ')})`;
}

/** ruleutils.c get_const_expr with showtype 0: integers and float-looking numerics bare, the rest quoted and labelled */
function constant(type: SqlType, v: Value): string {
  const text = formatText(type, v);
  if (type.oid === OID.int4) return text.startsWith('-') ? `'${text}'::integer` : text;
  if (type.oid === OID.bool) return text === 't' || text === 'true' ? 'true' : 'false';
  if (type.oid === OID.numeric && /^[0-9]/.test(text) && /[eE.]/.test(text)) return type.typmod >= 0 ? `${text}::${formatTypeWithTypmod(type)}` : text;
  return `'${text.replace(/'/g, "''")}'::${formatTypeWithTypmod(type)}`;
}
