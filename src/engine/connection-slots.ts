/**
 * Whether a new session gets a slot, as PostgreSQL 15 decides at backend start: past
 * max_connections nobody does (InitProcess: `sorry, too many clients already`); the last
 * superuser_reserved_connections slots are kept for superusers (InitPostgres).
 */
import { SqlError, SqlState } from '../errors.js';

/** `open`: the sessions open now, the new one included. Throws FATAL 53300 when refused. */
export function checkConnectionSlot(open: number, maxConnections: number, reserved: number, superuser: boolean): void {
  if (open > maxConnections) {
    throw new SqlError(SqlState.tooManyConnections, 'sorry, too many clients already', { severity: 'FATAL' });
  }
  // fewer than `reserved` slots would remain free after this one
  if (!superuser && reserved > 0 && maxConnections - open < reserved) {
    throw new SqlError(SqlState.tooManyConnections, 'remaining connection slots are reserved for non-replication superuser connections', { severity: 'FATAL' });
  }
}

/** The start-up check of the two settings (PostgreSQL's postmaster refuses to start). */
export function connectionLimitsError(maxConnections: number, reserved: number): string | undefined {
  if (!(Number.isInteger(reserved) && reserved >= 0 && reserved <= 262143)) return `invalid superuser_reserved_connections ${reserved} (an integer from 0 to 262143)`;
  if (reserved >= maxConnections) return `superuser_reserved_connections (${reserved}) must be less than max_connections (${maxConnections})`;
  return undefined;
}
