/** PostgreSQL's ExecOpenScanRelation check: a materialized view made or refreshed WITH NO DATA cannot be read. */
import { SqlError } from '../errors.js';
import type { TableDef } from '../catalog/catalog.js';

/** Throws 55000 for an unpopulated materialized view: at run time, so EXPLAIN still plans a read of it. */
export function checkScannable(table: TableDef): void {
  if (table.unpopulated) {
    throw new SqlError('55000', `materialized view "${table.name}" has not been populated`, { hint: 'Use the REFRESH MATERIALIZED VIEW command.' });
  }
}
