/**
 * Undo of DDL run inside a transaction block, object by object. The catalog is shared by all
 * sessions of a database, so a ROLLBACK must put back only the objects this transaction
 * changed: other sessions' DDL committed meanwhile stays, and sequence values are never
 * rolled back (nextval is not transactional in PostgreSQL either).
 */
import type { CatalogData } from '../../catalog/catalog.js';

type Keyed = Map<string, unknown>;

function keyed(data: CatalogData): Keyed {
  const m: Keyed = new Map();
  for (const t of data.tables) m.set(`t${t.oid}`, t);
  for (const s of data.sequences) m.set(`s${s.oid}`, s);
  for (const e of data.extensions) m.set(`e${e.name}`, e);
  for (const f of data.functions ?? []) m.set(`f${f.oid}`, f);
  for (const t of data.types ?? []) m.set(`E${t.oid}`, t);
  for (const d of data.domains ?? []) m.set(`D${d.oid}`, d);
  if (data.publicSchema) m.set('npublic', data.publicSchema);
  for (const n of data.schemas ?? []) m.set(`N${n.oid}`, n);
  for (const d of data.defaultAcls ?? []) m.set(`d${d.oid}`, d);
  for (const d of data.procAcls ?? []) m.set(`p${d.oid}`, d);
  for (const d of data.typeAcls ?? []) m.set(`y${d.oid}`, d);
  return m;
}

function same(a: unknown, b: unknown): boolean {
  const text = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));
  return text(a) === text(b);
}

/** Keys of the objects that differ between two catalog images (added, removed or changed). */
export function changedObjects(before: CatalogData, after: CatalogData): string[] {
  const a = keyed(before);
  const b = keyed(after);
  const out: string[] = [];
  for (const [k, v] of a) if (!b.has(k) || !same(v, b.get(k))) out.push(k);
  for (const k of b.keys()) if (!a.has(k)) out.push(k);
  return out;
}

/** Keys of the objects `after` has and `before` has not (created in between). */
export function createdObjects(before: CatalogData, after: CatalogData): string[] {
  const a = keyed(before);
  return [...keyed(after).keys()].filter((k) => !a.has(k));
}

/**
 * `current` with the objects in `touched` put back as they were in `before` (or removed when
 * they did not exist then). A touched sequence keeps its current position.
 */
export function undoObjects(before: CatalogData, current: CatalogData, touched: ReadonlySet<string>): CatalogData {
  const old = keyed(before);
  const now = keyed(current);
  const pick = <T>(key: string, currentValue: T | undefined): T | undefined => {
    if (!touched.has(key)) return currentValue;
    const restored = old.get(key) as T | undefined;
    if (key.startsWith('s') && restored && currentValue) {
      const { last, isCalled } = currentValue as unknown as { last: bigint; isCalled: boolean };
      return { ...restored, last, isCalled } as T;
    }
    return restored;
  };
  const merge = <T>(prefix: string, list: readonly T[], key: (x: T) => string): T[] => {
    const out: T[] = [];
    for (const x of list) {
      const v = pick(key(x), x);
      if (v !== undefined) out.push(v);
    }
    // objects this transaction dropped come back
    for (const k of touched) {
      if (k.startsWith(prefix) && !now.has(k) && old.has(k)) out.push(pick(k, undefined) as T);
    }
    return out;
  };
  return {
    tables: merge('t', current.tables, (t) => `t${t.oid}`),
    sequences: merge('s', current.sequences, (s) => `s${s.oid}`),
    extensions: merge('e', current.extensions, (e) => `e${e.name}`),
    functions: merge('f', current.functions ?? [], (f) => `f${f.oid}`),
    types: merge('E', current.types ?? [], (t) => `E${t.oid}`),
    domains: merge('D', current.domains ?? [], (d) => `D${d.oid}`),
    publicSchema: pick('npublic', current.publicSchema),
    defaultAcls: merge('d', current.defaultAcls ?? [], (d) => `d${d.oid}`),
    schemas: merge('N', current.schemas ?? [], (n) => `N${n.oid}`),
    procAcls: merge('p', current.procAcls ?? [], (d) => `p${d.oid}`),
    typeAcls: merge('y', current.typeAcls ?? [], (d) => `y${d.oid}`),
  };
}
