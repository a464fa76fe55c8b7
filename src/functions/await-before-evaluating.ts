/**
 * A function whose value depends on asynchronous work (pg_promote(wait => true): whether
 * the node was promoted within the time given) while expressions are evaluated
 * synchronously: it starts the work and throws this; the operator evaluating the row
 * (project, values: a select list) waits for `work` without holding the thread — a cancel
 * or statement_timeout ends the wait — and evaluates the row again, when the function
 * finds the outcome. Where no operator can wait (a subquery run synchronously, a WHERE
 * clause), it reaches the client as the error it is.
 */
import { SqlError, SqlState } from '../errors.js';

export class AwaitBeforeEvaluating extends SqlError {
  constructor(readonly work: Promise<void>, fn: string, hint = `Call ${fn} with wait => false, or as SELECT ${fn}.`) {
    super(SqlState.featureNotSupported, `${fn} can wait only in a SELECT list`, { hint });
  }
}
