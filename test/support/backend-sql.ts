/** A query's whole result through an engine Backend (no wire): every row, its batches joined. */
import type { Value } from '../../src/types/types.js';
import type { Backend } from '../../src/wire/backend.js';

export async function backendRows(backend: Backend, text: string, params: readonly Value[] = []): Promise<Value[][]> {
  const r = await backend.execute(backend.prepare(text, []), params);
  if (r.kind !== 'rows') return [];
  const rows = [...r.rows];
  for (let more = await r.more?.next(); more; more = await r.more!.next()) rows.push(...more);
  return rows;
}
