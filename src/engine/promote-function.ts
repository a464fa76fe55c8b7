/**
 * pg_promote(wait boolean DEFAULT true, wait_seconds integer DEFAULT 60), as PostgreSQL 15's
 * (xlogfuncs.c): on a hot standby, asks the node to take the leadership now (cluster mode:
 * Engine.requestPromotion, data-role.ts) and, with `wait`, waits up to `wait_seconds` for
 * the promotion — true once promoted, else a WARNING and false. Off recovery: 55000. EXECUTE
 * is the bootstrap superuser's only, as PostgreSQL's system_functions.sql revokes it from
 * PUBLIC (GRANT EXECUTE ON FUNCTION pg_promote gives it, as there).
 */
import { SqlError, SqlState } from '../errors.js';
import { ALL_FUNCTION_PRIVILEGES, hasPrivilege, type Roles } from '../catalog/roles.js';
import type { Catalog } from '../catalog/catalog.js';
import type { EvalContext } from '../functions/api.js';
import { AwaitBeforeEvaluating } from '../functions/await-before-evaluating.js';

/** pg_proc.oid of pg_promote */
export const PG_PROMOTE_OID = 3436;

/** What pg_promote needs of the engine. */
export interface Promotable {
  readonly standby: unknown;
  requestPromotion: (() => Promise<void>) | undefined;
  whenPromoted(): Promise<void>;
}

/** A wait begun by one evaluation and read by the next (the operator evaluates the row again). */
interface PromotionWait {
  /** the statement's evaluation context: a later statement does not take this outcome */
  readonly ctx: EvalContext;
  outcome?: { promoted: boolean; warning?: string };
}

export interface PromoteCaller {
  readonly engine: Promotable;
  readonly catalog: Catalog;
  readonly roles: Roles;
  currentRoleOid(): number;
  warn(message: string): void;
  /** the wait in progress for this session (one at a time: a session runs one statement) */
  promotionWait: PromotionWait | undefined;
}

export function pgPromote(caller: PromoteCaller, wait: boolean, waitSeconds: number, ctx: EvalContext): boolean {
  const done = caller.promotionWait;
  if (done?.ctx === ctx && done.outcome) {
    caller.promotionWait = undefined;
    if (done.outcome.warning) caller.warn(done.outcome.warning);
    return done.outcome.promoted;
  }
  const acl = caller.catalog.builtinProcAcl(PG_PROMOTE_OID);
  if (!hasPrivilege(caller.roles, caller.currentRoleOid(), acl, 'X', ALL_FUNCTION_PRIVILEGES)) {
    throw new SqlError(SqlState.insufficientPrivilege, 'permission denied for function pg_promote');
  }
  const engine = caller.engine;
  if (!engine.standby) {
    throw new SqlError(SqlState.objectNotInPrerequisiteState, 'recovery is not in progress', { hint: 'Recovery control functions can only be executed during recovery.' });
  }
  if (waitSeconds <= 0) throw new SqlError(SqlState.invalidParameterValue, '"wait_seconds" must not be negative or zero');
  const promoted = engine.whenPromoted();
  const request = engine.requestPromotion?.() ?? Promise.reject(new Error('this hot standby runs without a data role that could promote it'));
  if (!wait) {
    // PostgreSQL returns once the postmaster is signalled; a request that fails later is logged by the node
    request.catch(() => {});
    return true;
  }
  const pending: PromotionWait = { ctx };
  caller.promotionWait = pending;
  let timer: NodeJS.Timeout | undefined;
  const work = Promise.race([
    promoted.then(() => ({ promoted: true })),
    // (PostgreSQL: a signal it could not send is a WARNING and false)
    request.then(() => new Promise<never>(() => {}), (e: Error) => ({ promoted: false, warning: `failed to request the promotion: ${e.message}` })),
    new Promise<{ promoted: boolean; warning: string }>((resolve) => {
      timer = setTimeout(() => resolve({ promoted: false, warning: `server did not promote within ${waitSeconds} ${waitSeconds === 1 ? 'second' : 'seconds'}` }), waitSeconds * 1000);
      timer.unref();
    }),
  ]).then((outcome) => {
    clearTimeout(timer);
    pending.outcome = outcome;
  });
  throw new AwaitBeforeEvaluating(work, 'pg_promote()');
}
