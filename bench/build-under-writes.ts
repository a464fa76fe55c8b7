/**
 * An index build with the table in use: one connection runs CREATE INDEX (or REINDEX),
 * another does single-row INSERTs back to back and times each, a third polls
 * pg_stat_progress_create_index. Used by bench/index-build.ts (the 60k × 784 numbers in
 * the README) and by test/index-build-progress.test.ts (smaller, asserting behaviour).
 */
import copyStreams from 'pg-copy-streams';
import type pg from 'pg';
import { copyHeader, copyTrailer, encodeRows } from './copy-binary.js';
import { seededRandom } from './util.js';

/** One poll of pg_stat_progress_create_index (the row of the building session). */
export interface ProgressSample {
  /** milliseconds since the build statement was sent */
  readonly at: number;
  readonly relid: number;
  readonly indexRelid: number;
  readonly command: string;
  readonly phase: string;
  readonly tuplesTotal: number;
  readonly tuplesDone: number;
  readonly partitionsTotal: number;
  readonly partitionsDone: number;
}

/** One INSERT made while the build ran. */
export interface TimedInsert {
  readonly id: number;
  /** milliseconds since the build statement was sent */
  readonly at: number;
  readonly ms: number;
}

export interface BuildUnderWrites {
  readonly buildMs: number;
  /** the build's error (a cancelled build's 57014), if it failed */
  readonly buildError?: Error;
  /** inserts that finished before the build did */
  readonly inserts: readonly TimedInsert[];
  readonly progress: readonly ProgressSample[];
}

export interface BuildUnderWritesOptions {
  /** CREATE INDEX … / REINDEX … */
  readonly buildSql: string;
  /** the table the INSERTs go to: (id bigint, sel int, embedding vector(dim)) */
  readonly table: string;
  readonly dim: number;
  /** ids given to the inserted rows: firstId, firstId + 1, … */
  readonly firstId: number;
  /** pause between two INSERTs (ms; default 0: back to back) */
  readonly insertGapMs?: number;
  /** how often the progress view is read (ms; default 50) */
  readonly pollMs?: number;
  /** called once the build statement was sent (a test cancels it from here) */
  readonly onStarted?: (builder: pg.Client) => void;
}

/** The inserted row's vector: pseudo-random, a different one per id (a k-NN query for it finds that row). */
export function insertedVector(id: number, dim: number): string {
  const rand = seededRandom(id + 1);
  const v: string[] = [];
  for (let j = 0; j < dim; j++) v.push(rand().toFixed(4));
  return `[${v.join(',')}]`;
}

/**
 * Fill `table (id bigint, sel int, embedding vector(dim))` with rows from … to-1 of
 * `vectors` (id = row number) through one binary COPY.
 */
export async function loadVectors(client: pg.Client, table: string, vectors: Float32Array, dim: number, sel: Int32Array, from = 0, to = vectors.length / dim): Promise<void> {
  const rows = to;
  const stream = client.query(copyStreams.from(`COPY ${table} (id, sel, embedding) FROM STDIN (FORMAT binary)`));
  const done = new Promise<void>((res, rej) => { stream.on('finish', res); stream.on('error', rej); });
  const write = (b: Buffer): Promise<void> => (stream.write(b) ? Promise.resolve() : new Promise((r) => stream.once('drain', () => r())));
  await write(copyHeader());
  for (let at = from; at < rows; at += 1000) await write(encodeRows(vectors, dim, sel, at, Math.min(rows, at + 1000)));
  stream.end(copyTrailer());
  await done;
}

const PROGRESS_SQL = `SELECT relid, index_relid, command, phase, tuples_total, tuples_done, partitions_total, partitions_done
  FROM pg_stat_progress_create_index WHERE pid = $1`;

/** Run the build while `writer` inserts and `watcher` (if given) polls its progress; resolves when the build ended. */
export async function buildUnderWrites(builder: pg.Client, writer: pg.Client, watcher: pg.Client | undefined, o: BuildUnderWritesOptions): Promise<BuildUnderWrites> {
  const builderPid = Number((await builder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
  const t0 = performance.now();
  let finished = false;
  let buildError: Error | undefined;
  const build = builder.query(o.buildSql).then(
    () => { finished = true; },
    (e: Error) => { finished = true; buildError = e; },
  );
  o.onStarted?.(builder);
  const inserts: TimedInsert[] = [];
  const writing = (async () => {
    for (let id = o.firstId; !finished; id++) {
      const start = performance.now();
      await writer.query(`INSERT INTO ${o.table} (id, sel, embedding) VALUES ($1, 0, $2)`, [id, insertedVector(id, o.dim)]);
      const end = performance.now();
      if (!finished) inserts.push({ id, at: start - t0, ms: end - start });
      if (o.insertGapMs) await new Promise((r) => setTimeout(r, o.insertGapMs));
    }
  })();
  const progress: ProgressSample[] = [];
  const watching = (async () => {
    while (watcher && !finished) {
      const at = performance.now() - t0;
      const r = await watcher.query(PROGRESS_SQL, [builderPid]);
      for (const row of r.rows) {
        progress.push({
          at, relid: Number(row.relid), indexRelid: Number(row.index_relid), command: row.command, phase: row.phase, tuplesTotal: Number(row.tuples_total), tuplesDone: Number(row.tuples_done),
          partitionsTotal: Number(row.partitions_total), partitionsDone: Number(row.partitions_done),
        });
      }
      await new Promise((res) => setTimeout(res, o.pollMs ?? 50));
    }
  })();
  await build;
  const buildMs = performance.now() - t0;
  await Promise.all([writing, watching]);
  return { buildMs, ...(buildError ? { buildError } : {}), inserts, progress };
}
