/**
 * Window specifications: the WINDOW clause, OVER w / OVER (w …) references to it, and the
 * frame clause's shape, resolved and checked as PostgreSQL's parse_clause.c does
 * (transformWindowDefinitions, transformFrameOffset). Offsets are bound by the caller.
 */
import { SqlError, SqlState } from '../errors.js';
import type { RawNode } from './parser.js';
import type { WindowFrame } from '../planner/plan.js';
import { OID, T, type SqlType } from '../types/types.js';

/** FRAMEOPTION_* bits of PostgreSQL's parsenodes.h (the parser hands them over as is) */
const F = {
  nonDefault: 0x1, range: 0x2, rows: 0x4, groups: 0x8,
  startUnboundedPreceding: 0x20, endUnboundedFollowing: 0x100,
  startCurrentRow: 0x200, endCurrentRow: 0x400,
  startOffsetPreceding: 0x800, endOffsetPreceding: 0x1000, startOffsetFollowing: 0x2000, endOffsetFollowing: 0x4000,
  excludeCurrentRow: 0x8000, excludeGroup: 0x10000, excludeTies: 0x20000,
};
/** RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW */
const DEFAULT_FRAME = 0x422;

/** A window with its references resolved; clauses still raw. */
export interface WindowSpec {
  readonly partitionClause: readonly RawNode[];
  readonly orderClause: readonly RawNode[];
  readonly frameOptions: number;
  readonly startOffset?: RawNode;
  readonly endOffset?: RawNode;
  /** 1-based position of the definition, for errors */
  readonly position: number | undefined;
  /** a WINDOW clause's definition: its name, and the window it builds on (WINDOW w2 AS (w1 …)) */
  readonly name?: string;
  readonly refname?: string;
}

const position = (n: RawNode): number | undefined => (typeof n.location === 'number' && n.location >= 0 ? n.location + 1 : undefined);

/** WINDOW w AS (…), … : each may build on an earlier one. */
export function windowDefinitions(clause: readonly RawNode[] | undefined): Map<string, WindowSpec> {
  const defs = new Map<string, WindowSpec>();
  for (const w of clause ?? []) {
    const def = w.WindowDef as RawNode;
    if (defs.has(def.name)) throw new SqlError(SqlState.windowingError, `window "${def.name}" is already defined`, { position: position(def) });
    defs.set(def.name, { ...mergeWindow(def, defs), name: def.name, ...(def.refname ? { refname: def.refname as string } : {}) });
  }
  return defs;
}

/** The window of an OVER clause: OVER w uses w as is, OVER (w …) copies and extends it. */
export function resolveOver(over: RawNode, defs: ReadonlyMap<string, WindowSpec> | undefined): WindowSpec {
  if (over.name) {
    const def = defs?.get(over.name);
    if (!def) throw new SqlError(SqlState.undefinedObject, `window "${over.name}" does not exist`, { position: position(over) });
    return def;
  }
  return mergeWindow(over, defs);
}

function mergeWindow(def: RawNode, defs: ReadonlyMap<string, WindowSpec> | undefined): WindowSpec {
  const own: WindowSpec = {
    partitionClause: def.partitionClause ?? [], orderClause: def.orderClause ?? [], frameOptions: def.frameOptions ?? DEFAULT_FRAME,
    startOffset: def.startOffset, endOffset: def.endOffset, position: position(def),
  };
  if (!def.refname) return own;
  const name = def.refname as string;
  const ref = defs?.get(name);
  if (!ref) throw new SqlError(SqlState.undefinedObject, `window "${name}" does not exist`, { position: own.position });
  if (own.partitionClause.length) throw new SqlError(SqlState.windowingError, `cannot override PARTITION BY clause of window "${name}"`, { position: own.position });
  if (own.orderClause.length && ref.orderClause.length) throw new SqlError(SqlState.windowingError, `cannot override ORDER BY clause of window "${name}"`, { position: own.position });
  if (ref.frameOptions & F.nonDefault) {
    const bare = !own.orderClause.length && !(own.frameOptions & F.nonDefault);
    throw new SqlError(SqlState.windowingError, `cannot copy window "${name}" because it has a frame clause`, {
      position: own.position, ...(bare ? { hint: 'Omit the parentheses in this OVER clause.' } : {}),
    });
  }
  return { ...own, partitionClause: ref.partitionClause, orderClause: own.orderClause.length ? own.orderClause : ref.orderClause };
}

/** The type an offset is coerced to, given the mode and (for RANGE) the ORDER BY key's type. */
export type OffsetBinder = (node: RawNode, mode: WindowFrame['mode']) => import('../planner/plan.js').Expr;

/** The frame of a window function, offsets bound through `bindOffset`. */
export function bindFrame(spec: WindowSpec, orderTypes: readonly SqlType[], bindOffset: OffsetBinder): WindowFrame {
  const o = spec.frameOptions;
  const mode = o & F.rows ? 'rows' : o & F.groups ? 'groups' : 'range';
  const hasOffset = (o & (F.startOffsetPreceding | F.startOffsetFollowing | F.endOffsetPreceding | F.endOffsetFollowing)) !== 0;
  if (mode === 'groups' && orderTypes.length === 0) {
    throw new SqlError(SqlState.windowingError, 'GROUPS mode requires an ORDER BY clause', { position: spec.position });
  }
  if (mode === 'range' && hasOffset && orderTypes.length !== 1) {
    throw new SqlError(SqlState.windowingError, 'RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column', { position: spec.position });
  }
  const start: WindowFrame['start'] =
    o & F.startUnboundedPreceding ? { kind: 'unboundedPreceding' }
      : o & F.startCurrentRow ? { kind: 'currentRow' }
        : { kind: o & F.startOffsetPreceding ? 'preceding' : 'following', offset: bindOffset(spec.startOffset!, mode) };
  const end: WindowFrame['end'] =
    o & F.endUnboundedFollowing ? { kind: 'unboundedFollowing' }
      : o & F.endCurrentRow ? { kind: 'currentRow' }
        : o & (F.endOffsetPreceding | F.endOffsetFollowing) ? { kind: o & F.endOffsetPreceding ? 'preceding' : 'following', offset: bindOffset(spec.endOffset!, mode) }
          // a frame with only a start ends at the current row
          : { kind: 'currentRow' };
  const exclude = o & F.excludeCurrentRow ? 'currentRow' : o & F.excludeGroup ? 'group' : o & F.excludeTies ? 'ties' : 'noOthers';
  return { mode, start, end, exclude };
}

/**
 * in_range support: the offset types PostgreSQL accepts for a RANGE key of this type, the
 * preferred one first (the btree opfamilies' in_range functions).
 */
export function rangeOffsetTypes(key: SqlType): readonly SqlType[] {
  switch (key.oid) {
    case OID.int2: return [T.int2, T.int4, T.int8];
    case OID.int4: return [T.int4, T.int2, T.int8];
    case OID.int8: return [T.int8];
    case OID.float4: case OID.float8: return [T.float8];
    case OID.numeric: return [T.numeric];
    case OID.date: case OID.timestamp: case OID.timestamptz: case OID.time: case OID.interval: return [T.interval];
    default: return [];
  }
}

/**
 * The number of the window clause an OVER belongs to (PostgreSQL's winref, parse_agg.c's
 * transformWindowFuncCall): OVER w is the WINDOW clause's w (numbered in the order written);
 * OVER (…) is the first WINDOW definition or earlier OVER (…) building on the same window
 * (or on none) with an equal specification (`sameSpec`), else a clause of its own, numbered
 * after the WINDOW clause's. `inline`: the query's OVER (…) clauses so far, by `identity`.
 */
export function windowClauseNumber(
  over: RawNode, defs: ReadonlyMap<string, WindowSpec> | undefined, identity: string,
  sameSpec: (def: WindowSpec) => boolean, inline: string[],
): number {
  const named = [...(defs?.values() ?? [])];
  if (over.name) return named.findIndex((d) => d.name === over.name) + 1;
  const refname = (over.refname as string | undefined) ?? null;
  const match = named.findIndex((d) => (d.refname ?? null) === refname && sameSpec(d));
  if (match >= 0) return match + 1;
  const key = `${refname ?? ''}|${identity}`;
  let i = inline.indexOf(key);
  if (i < 0) i = inline.push(key) - 1;
  return named.length + i + 1;
}
