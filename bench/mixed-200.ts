/**
 * mixed-200: many concurrent sessions running a mixed workload — k-NN with and without a
 * filter, point reads by primary key, single-row and batched inserts, updates and deletes in
 * BEGIN … COMMIT — then a check that every acknowledged write is (or is not) there.
 *
 *   node dist/bench/mixed-200.js [--target quiver | postgresql://…] [--connections 200] [--seconds 60] [--rows 20000] [--dim 64]
 *
 * Only 40001 / 40P01 are expected errors (retried); every other SQLSTATE is counted.
 */
import { parseArgs } from 'node:util';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { targetFromArg } from './targets.js';
import { seededRandom, summarizeLatencies } from './util.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The kinds of statement the workload mixes, with their share of the picks. */
export const KINDS = [['knn', 20], ['knn_filter', 20], ['point', 25], ['insert', 10], ['insert_batch', 5], ['update', 10], ['delete', 10]] as const;
export type Kind = (typeof KINDS)[number][0];

/** Picks a kind for a uniform r in [0, 1) by the weights of KINDS. */
export function pickKind(r: number): Kind {
  const total = KINDS.reduce((s, [, w]) => s + w, 0);
  let x = r * total;
  for (const [k, w] of KINDS) {
    if (x < w) return k;
    x -= w;
  }
  return KINDS[KINDS.length - 1][0];
}

/**
 * What acknowledged writes imply about the final table: the live value of every id that
 * was last inserted or updated, and the ids whose last acknowledged write was a delete.
 * Writes are applied in acknowledgement order; each id belongs to one session so that is
 * also commit order.
 */
export class AckLedger {
  readonly live = new Map<number, number>();
  readonly deleted = new Set<number>();
  put(id: number, val: number): void { this.live.set(id, val); this.deleted.delete(id); }
  del(id: number): void { this.live.delete(id); this.deleted.add(id); }
  /** Differences between the ledger and the rows (id → val) read back. */
  verify(rows: ReadonlyMap<number, number>): string[] {
    const problems: string[] = [];
    for (const [id, val] of this.live) {
      const got = rows.get(id);
      if (got === undefined) problems.push(`acknowledged row ${id} missing`);
      else if (got !== val) problems.push(`row ${id} has val ${got}, acknowledged ${val}`);
    }
    for (const id of this.deleted) if (rows.has(id)) problems.push(`acknowledged delete of ${id} not applied`);
    return problems;
  }
}

function vec(rand: () => number, dim: number): string {
  return `[${Array.from({ length: dim }, () => (rand() * 2 - 1).toFixed(4)).join(',')}]`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    target: { type: 'string', default: 'quiver' },
    connections: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '60' },
    rows: { type: 'string', default: '20000' },
    dim: { type: 'string', default: '64' },
  } });
  const conns = Number(values.connections);
  const seconds = Number(values.seconds);
  const rows = Number(values.rows);
  const dim = Number(values.dim);
  process.env.QUIVER_MAX_CONNECTIONS ??= String(conns + 20);
  const target = await targetFromArg(values.target!, REPO);
  try {
    const admin = await target.connect();
    if (target.kind === 'postgres') await admin.query('CREATE EXTENSION IF NOT EXISTS vector');
    const maxConn = (await admin.query('SHOW max_connections')).rows[0].max_connections as string;
    await admin.query('DROP TABLE IF EXISTS mixed200');
    await admin.query(`CREATE TABLE mixed200 (id bigint PRIMARY KEY, cat int NOT NULL, val int NOT NULL, v vector(${dim}))`);
    const rand = seededRandom(42);
    for (let start = 0; start < rows; start += 500) {
      const parts: string[] = [];
      for (let id = start; id < Math.min(rows, start + 500); id++) parts.push(`(${id}, ${id % 100}, 0, '${vec(rand, dim)}')`);
      await admin.query(`INSERT INTO mixed200 VALUES ${parts.join(',')}`);
    }
    await admin.query('CREATE INDEX ON mixed200 USING hnsw (v vector_l2_ops)');
    await admin.query('ANALYZE mixed200');
    const ledger = new AckLedger();
    const lat = new Map<Kind, number[]>(KINDS.map(([k]) => [k, []]));
    const errors = new Map<string, number>();
    let retries = 0;
    const deadline = Date.now() + seconds * 1000;
    // Session s owns new ids s + conns·n above `rows` and, for updates/deletes, the
    // preloaded ids ≡ s (mod conns): no two sessions write the same row.
    const session = async (s: number): Promise<void> => {
      const c: pg.Client = await target.connect();
      const r = seededRandom(1000 + s);
      const own: number[] = [];
      for (let id = s; id < rows; id += conns) own.push(id);
      let next = rows + s;
      let val = 1;
      const newId = (): number => { const id = next; next += conns; return id; };
      const ownId = (): number | undefined => (own.length ? own[Math.floor(r() * own.length)] : undefined);
      while (Date.now() < deadline) {
        const kind = pickKind(r());
        const t0 = performance.now();
        const apply: Array<() => void> = [];
        try {
          switch (kind) {
            case 'knn': await c.query(`SELECT id FROM mixed200 ORDER BY v <-> $1 LIMIT 10`, [vec(r, dim)]); break;
            case 'knn_filter': await c.query(`SELECT id FROM mixed200 WHERE cat = $2 ORDER BY v <-> $1 LIMIT 10`, [vec(r, dim), Math.floor(r() * 100)]); break;
            case 'point': await c.query('SELECT * FROM mixed200 WHERE id = $1', [Math.floor(r() * rows)]); break;
            case 'insert': {
              const id = newId(); const v = val++;
              await c.query('INSERT INTO mixed200 VALUES ($1, $2, $3, $4)', [id, id % 100, v, vec(r, dim)]);
              apply.push(() => { ledger.put(id, v); own.push(id); });
              break;
            }
            case 'insert_batch': {
              const ids = Array.from({ length: 10 }, newId); const v = val++;
              await c.query('BEGIN');
              await c.query(`INSERT INTO mixed200 VALUES ${ids.map((id) => `(${id}, ${id % 100}, ${v}, '${vec(r, dim)}')`).join(',')}`);
              await c.query('COMMIT');
              apply.push(() => { for (const id of ids) { ledger.put(id, v); own.push(id); } });
              break;
            }
            case 'update': {
              const id = ownId(); if (id === undefined) continue; const v = val++;
              await c.query('BEGIN');
              const u = await c.query('UPDATE mixed200 SET val = $2 WHERE id = $1', [id, v]);
              await c.query('COMMIT');
              if (u.rowCount === 1) apply.push(() => ledger.put(id, v));
              break;
            }
            case 'delete': {
              const i = own.length ? Math.floor(r() * own.length) : -1; if (i < 0) continue;
              const id = own[i];
              await c.query('BEGIN');
              await c.query('DELETE FROM mixed200 WHERE id = $1', [id]);
              await c.query('COMMIT');
              apply.push(() => { ledger.del(id); own.splice(i, 1); });
              break;
            }
          }
          for (const f of apply) f();
          lat.get(kind)!.push(performance.now() - t0);
        } catch (e) {
          const code = (e as { code?: string }).code ?? 'no-sqlstate';
          await c.query('ROLLBACK').catch(() => {});
          if (code === '40001' || code === '40P01') retries++;
          else errors.set(code, (errors.get(code) ?? 0) + 1);
        }
      }
      await c.end();
    };
    await Promise.all(Array.from({ length: conns }, (_, s) => session(s)));
    // Preloaded rows never touched keep val 0: read everything and check the ledger.
    const back = await admin.query('SELECT id, val FROM mixed200');
    const found = new Map<number, number>(back.rows.map((x) => [Number(x.id), Number(x.val)]));
    const problems = ledger.verify(found);
    await admin.query('DROP TABLE mixed200');
    await admin.end();
    const perKind: Record<string, unknown> = {};
    for (const [k, l] of lat) perKind[k] = { ops: l.length, perSecond: Math.round(l.length / seconds), ...summarizeLatencies(l) };
    console.log(JSON.stringify({
      target: target.name, maxConnections: maxConn, connections: conns, seconds, rows, dim, perKind,
      errors: Object.fromEntries(errors), retried: retries,
      verification: problems.length === 0 ? `ok (${ledger.live.size} acknowledged live ids, ${ledger.deleted.size} deleted)` : problems.slice(0, 20),
    }, null, 2));
  } finally {
    await target.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().catch((e) => { console.error(e); process.exit(1); });
}
