/**
 * A statement's RunContext as a session makes it. The system-relation context and the CTE
 * results map are made at first use (most statements read neither); as prototype getters
 * they cost no closure per statement. Being a class instance, it is extended with
 * Object.assign (which keeps the getters), not by spreading it into a new object.
 */
import type { SystemRelationContext } from '../catalog/catalog.js';
import type { RunContext } from '../executor/operators.js';
import type { TimeSlice } from '../executor/suspend.js';
import type { TempSpace } from '../executor/spill/temp-files.js';
import type { SegmentSearchPool } from '../query-worker/pool.js';
import type { Snapshot, Storage, Transaction } from '../storage/api.js';
import type { Row } from '../types/types.js';

export class StatementRunContext implements RunContext {
  private systemContext: SystemRelationContext | undefined;
  private ctes: Map<number, Row[]> | undefined;

  constructor(
    readonly storage: Storage,
    readonly snapshot: Snapshot,
    readonly txn: Transaction | undefined,
    readonly metrics: RunContext['metrics'],
    readonly slice: TimeSlice,
    readonly queryWorkers: SegmentSearchPool | undefined,
    readonly session: object,
    readonly workMemBytes: number,
    readonly tempSpace: TempSpace | undefined,
    private readonly makeSystem: () => SystemRelationContext,
  ) {}

  get system(): SystemRelationContext {
    return (this.systemContext ??= this.makeSystem());
  }

  get cteResults(): Map<number, Row[]> {
    return (this.ctes ??= new Map());
  }
}
