/**
 * pg_locks: the advisory locks held and awaited (engine/advisory-locks.ts). Quiver's other
 * locks (row locks, DDL's) are not lock-manager entries and are not listed.
 */
import type { SystemRelation, SystemRelationContext } from '../catalog.js';
import { OID, T, sqlType, type Row } from '../../types/types.js';

/** one advisory lock hold or wait, as the engine reports it */
export interface LockRow {
  readonly database: string;
  readonly classid: number;
  readonly objid: number;
  readonly objsubid: 1 | 2;
  readonly pid: number;
  readonly mode: 'exclusive' | 'shared';
  readonly granted: boolean;
  /** µs since 1970 */
  readonly waitStart?: number;
}

export function lockRelations(databaseOid: (ctx: SystemRelationContext, name: string) => number): SystemRelation[] {
  const cols: [string, ReturnType<typeof sqlType>][] = [['locktype', T.text], ['database', T.oid], ['relation', T.oid], ['page', T.int4], ['tuple', T.int2],
    ['virtualxid', T.text], ['transactionid', sqlType(OID.xid)], ['classid', T.oid], ['objid', T.oid], ['objsubid', T.int2], ['virtualtransaction', T.text],
    ['pid', T.int4], ['mode', T.text], ['granted', T.bool], ['fastpath', T.bool], ['waitstart', T.timestamptz]];
  return [{
    oid: 12073, schema: 'pg_catalog', name: 'pg_locks',
    columns: cols.map(([name, type]) => ({ name, type })),
    rows: (ctx) => (ctx.locks?.() ?? []).map((l): Row => [
      'advisory', databaseOid(ctx, l.database), null, null, null, null, null, l.classid, l.objid, l.objsubid,
      `${l.pid}/1`, l.pid, l.mode === 'exclusive' ? 'ExclusiveLock' : 'ShareLock', l.granted, false, l.waitStart ?? null,
    ]),
  }];
}
