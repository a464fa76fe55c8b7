/**
 * Declarative partitioning (PARTITION BY LIST | RANGE | HASH): partition bounds, routing
 * a row to its leaf partition, and pruning the partitions a predicate can touch.
 */
import { SqlError, SqlState } from '../errors.js';
import { compareValues, hashKey } from '../types/compare.js';
import { TYPES, type Row, type SqlType, type Value } from '../types/types.js';
import type { Catalog, TableDef } from './catalog.js';
import { HASH_PARTITION_SEED, hashCombine64, pgExtendedHash } from './pg-hash.js';

export type BoundDatum = { readonly value: Value } | 'minvalue' | 'maxvalue';

export type PartitionBound =
  | { readonly kind: 'list'; readonly values: readonly Value[] }
  | { readonly kind: 'range'; readonly from: readonly BoundDatum[]; readonly to: readonly BoundDatum[] }
  | { readonly kind: 'hash'; readonly modulus: number; readonly remainder: number }
  | { readonly kind: 'default' };

export function keyTypes(parent: TableDef): SqlType[] {
  return parent.partition!.columns.map((c) => parent.columns[c].type);
}

/** Direct partitions of a partitioned table, in creation order. */
export function childPartitions(catalog: Catalog, parent: TableDef): TableDef[] {
  return [...catalog.tables.values()].filter((t) => t.partitionOf?.parent === parent.oid);
}

/** All leaf partitions below a table (the table itself when it is not partitioned). */
export function leafPartitions(catalog: Catalog, table: TableDef): TableDef[] {
  if (table.kind !== 'p') return [table];
  return childPartitions(catalog, table).flatMap((c) => leafPartitions(catalog, c));
}

function cmpDatum(type: SqlType, d: BoundDatum, v: Value): number {
  if (d === 'minvalue') return -1;
  if (d === 'maxvalue') return 1;
  return compareValues(type, d.value, v);
}

/** Compare a range bound with a key tuple: < 0 bound below key, 0 equal, > 0 above. */
function cmpBound(types: readonly SqlType[], bound: readonly BoundDatum[], key: readonly Value[]): number {
  for (let i = 0; i < bound.length; i++) {
    const d = bound[i];
    if (d === 'minvalue') return -1;
    if (d === 'maxvalue') return 1;
    const c = cmpDatum(types[i], d, key[i]);
    if (c !== 0) return c;
  }
  return 0;
}

/** Does a (non-default) bound accept this key? */
export function boundAccepts(types: readonly SqlType[], bound: PartitionBound, key: readonly Value[]): boolean {
  switch (bound.kind) {
    case 'list': {
      const v = key[0];
      if (v === null) return bound.values.some((x) => x === null);
      const h = hashKey(types[0], v);
      return bound.values.some((x) => x !== null && hashKey(types[0], x) === h);
    }
    case 'range':
      if (key.some((v) => v === null)) return false;
      return cmpBound(types, bound.from, key) <= 0 && cmpBound(types, bound.to, key) > 0;
    case 'hash':
      return partitionHash(types, key) % BigInt(bound.modulus) === BigInt(bound.remainder);
    case 'default':
      return false;
  }
}

/**
 * The hash that places a row in a hash partition: PostgreSQL's compute_partition_hash_value
 * (per-column extended hash with HASH_PARTITION_SEED, combined with hash_combine64 from 0,
 * NULLs skipped), so rows land in the same partitions as in PostgreSQL. Types whose hash
 * PostgreSQL lacks or Quiver cannot reproduce fall back to a stable FNV-1a of the value.
 */
export function partitionHash(types: readonly SqlType[], key: readonly Value[]): bigint {
  let rowHash = 0n;
  for (let i = 0; i < key.length; i++) {
    const v = key[i];
    if (v === null) continue;
    const h = pgExtendedHash(types[i], v, HASH_PARTITION_SEED) ?? fnv1a(String(hashKey(types[i], v)));
    rowHash = hashCombine64(rowHash, h);
  }
  return rowHash;
}

function fnv1a(text: string): bigint {
  let h = 0xcbf29ce484222325n;
  const mask = 0xffffffffffffffffn;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * 0x100000001b3n) & mask;
  }
  return h;
}

function keyOf(parent: TableDef, row: Row): Value[] {
  return parent.partition!.columns.map((c) => row[c]);
}

function describeKey(parent: TableDef, key: readonly Value[], format: (t: SqlType, v: Value) => string): string {
  const cols = parent.partition!.columns.map((c) => parent.columns[c].name).join(', ');
  const vals = key.map((v, i) => (v === null ? 'null' : format(parent.columns[parent.partition!.columns[i]].type, v))).join(', ');
  return `Partition key of the failing row contains (${cols}) = (${vals}).`;
}

/** The leaf partition a new row of `table` belongs to (the table itself if not partitioned). */
export function routeRow(catalog: Catalog, table: TableDef, row: Row, format: (t: SqlType, v: Value) => string): TableDef {
  let current = table;
  while (current.kind === 'p') {
    const key = keyOf(current, row);
    const types = keyTypes(current);
    const children = childPartitions(catalog, current);
    const hit = children.find((c) => c.partitionOf!.bound.kind !== 'default' && boundAccepts(types, c.partitionOf!.bound, key))
      ?? children.find((c) => c.partitionOf!.bound.kind === 'default');
    if (!hit) {
      throw new SqlError(SqlState.checkViolation, `no partition of relation "${current.name}" found for row`, {
        detail: describeKey(current, key, format), table: current.name,
      });
    }
    current = hit;
  }
  return current;
}

/** A row written directly into a partition must satisfy its bound (and its parents'). */
export function checkPartitionConstraint(catalog: Catalog, table: TableDef, row: Row, failingRow: () => string): void {
  let child = table;
  while (child.partitionOf) {
    const parent = catalog.tables.get(child.partitionOf.parent);
    if (!parent) return;
    const bound = child.partitionOf.bound;
    const types = keyTypes(parent);
    const key = keyOf(parent, row);
    const ok = bound.kind === 'default'
      ? !childPartitions(catalog, parent).some((c) => c.partitionOf!.bound.kind !== 'default' && boundAccepts(types, c.partitionOf!.bound, key))
      : boundAccepts(types, bound, key);
    if (!ok) {
      throw new SqlError(SqlState.checkViolation, `new row for relation "${table.name}" violates partition constraint`, {
        detail: failingRow(), table: table.name,
      });
    }
    child = parent;
  }
}

/** Two bounds of the same parent overlap (for CREATE … PARTITION OF / ATTACH). */
export function boundsOverlap(types: readonly SqlType[], a: PartitionBound, b: PartitionBound): boolean {
  if (a.kind === 'default' || b.kind === 'default') return a.kind === b.kind;
  if (a.kind === 'list' && b.kind === 'list') return a.values.some((v) => boundAccepts(types, b, [v]));
  if (a.kind === 'range' && b.kind === 'range') {
    // [a.from, a.to) and [b.from, b.to) overlap unless one ends before the other starts
    const cmp = (x: readonly BoundDatum[], y: readonly BoundDatum[]) => {
      for (let i = 0; i < x.length; i++) {
        const p = x[i];
        const q = y[i];
        const rank = (d: BoundDatum) => (d === 'minvalue' ? -1 : d === 'maxvalue' ? 1 : 0);
        if (rank(p) !== rank(q) || rank(p) !== 0) {
          if (rank(p) !== rank(q)) return rank(p) - rank(q);
          return 0;
        }
        const c = compareValues(types[i], (p as { value: Value }).value, (q as { value: Value }).value);
        if (c !== 0) return c;
      }
      return 0;
    };
    return cmp(a.from, b.to) < 0 && cmp(b.from, a.to) < 0;
  }
  if (a.kind === 'hash' && b.kind === 'hash') {
    const [small, large] = a.modulus <= b.modulus ? [a, b] : [b, a];
    return large.remainder % small.modulus === small.remainder;
  }
  return false;
}

/** PostgreSQL's spelling of a bound, as pg_get_expr(relpartbound) and \d+ show it. */
export function boundText(bound: PartitionBound, types: readonly SqlType[], format: (t: SqlType, v: Value) => string): string {
  // numbers print bare, except an enum's (its label's OID): quoted labels, as other non-numeric types
  const bare = (t: SqlType, v: Value) => (typeof v === 'number' || typeof v === 'bigint') && TYPES.get(t.oid)?.category !== 'E';
  const lit = (t: SqlType, v: Value) => (v === null ? 'NULL' : bare(t, v) ? String(v) : `'${format(t, v).replace(/'/g, "''")}'`);
  switch (bound.kind) {
    case 'default': return 'DEFAULT';
    case 'list': return `FOR VALUES IN (${bound.values.map((v) => lit(types[0], v)).join(', ')})`;
    case 'range': {
      const side = (ds: readonly BoundDatum[]) => ds.map((d, i) => (d === 'minvalue' ? 'MINVALUE' : d === 'maxvalue' ? 'MAXVALUE' : lit(types[i], d.value))).join(', ');
      return `FOR VALUES FROM (${side(bound.from)}) TO (${side(bound.to)})`;
    }
    case 'hash': return `FOR VALUES WITH (modulus ${bound.modulus}, remainder ${bound.remainder})`;
  }
}

/**
 * Which leaf partitions can hold rows whose key satisfies all `conditions`
 * (per key column: equality sets and range limits; undefined = unconstrained).
 */
export interface KeyConditions {
  /** per key column: the allowed values (from = and IN), or undefined */
  readonly equals: (readonly Value[] | undefined)[];
  /** per key column: lower/upper limits */
  readonly lower: ({ value: Value; inclusive: boolean } | undefined)[];
  readonly upper: ({ value: Value; inclusive: boolean } | undefined)[];
  readonly isNull: boolean[];
  /** per key column: values excluded (NOT IN, `<> ALL`), which prune list partitions only */
  readonly excluded?: (readonly Value[] | undefined)[];
}

export function prune(catalog: Catalog, table: TableDef, conds: (t: TableDef) => KeyConditions | undefined): TableDef[] {
  if (table.kind !== 'p') return [table];
  const c = conds(table);
  const types = keyTypes(table);
  const children = childPartitions(catalog, table);
  const survivors = children.filter((child) => (c ? mayContain(types, child.partitionOf!.bound, c, children) : true));
  return survivors.flatMap((child) => prune(catalog, child, conds));
}

function mayContain(types: readonly SqlType[], bound: PartitionBound, c: KeyConditions, siblings: readonly TableDef[]): boolean {
  if (bound.kind === 'default') {
    // the default partition holds keys no sibling accepts: keep it unless every allowed
    // value (for a single-column equality) is taken by a sibling
    const eq = c.equals[0];
    if (types.length === 1 && eq) {
      return eq.some((v) => !siblings.some((s) => s.partitionOf!.bound.kind !== 'default' && boundAccepts(types, s.partitionOf!.bound, [v])));
    }
    return true;
  }
  if (c.isNull.some(Boolean)) {
    if (bound.kind === 'list') return bound.values.some((v) => v === null);
    return bound.kind === 'hash';
  }
  // full equality on every key column: test the bound directly
  if (c.equals.every((e) => e !== undefined)) {
    const combos = cartesian(c.equals as Value[][]);
    return combos.some((key) => boundAccepts(types, bound, key));
  }
  if (bound.kind === 'list') {
    const eq = c.equals[0];
    const out = c.excluded?.[0];
    const listed = (list: readonly Value[] | undefined, v: Value) => list?.some((x) => x !== null && compareValues(types[0], x, v) === 0);
    return bound.values.some((v) => v !== null && (!eq || listed(eq, v)) && !listed(out, v) && withinLimits(types[0], v, c.lower[0], c.upper[0]));
  }
  if (bound.kind === 'range') {
    // only the first key column's limits are used for pruning
    const lo = c.lower[0];
    const hi = c.upper[0];
    const from = bound.from[0];
    const to = bound.to[0];
    if (hi && from !== 'minvalue' && from !== 'maxvalue') {
      const cmp = compareValues(types[0], hi.value, from.value);
      if (cmp < 0 || (cmp === 0 && !hi.inclusive && bound.from.length === 1)) return false;
    }
    if (hi && from === 'maxvalue') return false;
    if (lo && to !== 'minvalue' && to !== 'maxvalue') {
      const cmp = compareValues(types[0], lo.value, to.value);
      if (cmp > 0 || (cmp === 0 && bound.to.length === 1)) return false;
    }
    if (lo && to === 'minvalue') return false;
    return true;
  }
  return true;
}

/** v satisfies a key column's lower and upper limits (either may be absent). */
export function withinLimits(type: SqlType, v: Value, lo: KeyConditions['lower'][number], hi: KeyConditions['upper'][number]): boolean {
  if (lo) {
    const c = compareValues(type, v, lo.value);
    if (c < 0 || (c === 0 && !lo.inclusive)) return false;
  }
  if (hi) {
    const c = compareValues(type, v, hi.value);
    if (c > 0 || (c === 0 && !hi.inclusive)) return false;
  }
  return true;
}

function cartesian(lists: Value[][]): Value[][] {
  return lists.reduce<Value[][]>((acc, list) => acc.flatMap((prefix) => list.map((v) => [...prefix, v])), [[]]);
}
