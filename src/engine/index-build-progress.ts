/**
 * What pg_stat_progress_create_index shows of one session: the index build its running
 * statement does (CREATE INDEX, REINDEX), if any. The DDL modules start it, pass on what
 * storage reports (VectorIndexProgress) and end it; any session reads it.
 *
 * The phase texts are PostgreSQL's (the view's CASE over the command's phase), with the
 * access method's subphase after "building index: " as pgvector names them: an HNSW build
 * is 'building index: loading tuples', an IVFFlat build first 'building index: performing
 * k-means'. Quiver waits for no writers or readers, so the CONCURRENTLY phases that wait
 * ('waiting for writers before build', …) and the validation scan never show.
 */
import type { CreateIndexProgress } from '../catalog/catalog.js';
import type { VectorIndexProgress } from '../storage/api.js';

type Build = { -readonly [K in keyof CreateIndexProgress]: CreateIndexProgress[K] };

/** storage's phase → PostgreSQL's text (sealing the growing segment is part of getting started) */
const PHASES: Readonly<Record<VectorIndexProgress['phase'], string>> = {
  sealing: 'initializing',
  clustering: 'building index: performing k-means',
  loading: 'building index: loading tuples',
};

export class IndexBuildProgress {
  private build: Build | undefined;

  constructor(private readonly pid: number, private readonly database: () => string) {}

  /**
   * A build starts (or the statement's next one: REINDEX goes from index to index).
   * `partitions`: on a partitioned table, how many partitions get their own build.
   */
  start(command: CreateIndexProgress['command'], relid: number, indexRelid: number, partitions = 0): void {
    this.build = {
      pid: this.pid, database: this.database(), relid, indexRelid, command, phase: 'initializing',
      tuplesTotal: 0, tuplesDone: 0, partitionsTotal: partitions, partitionsDone: 0,
    };
  }

  /** storage's report of the running vector index build */
  storage(p: VectorIndexProgress): void {
    const b = this.build;
    if (!b) return;
    b.phase = PHASES[p.phase];
    b.tuplesTotal = p.rowsTotal;
    b.tuplesDone = p.rowsDone;
  }

  /** a build without subphases (a GIN index's inverted lists) */
  building(): void {
    if (this.build) this.build.phase = 'building index';
  }

  /** one partition's build is done; the next one counts its own tuples */
  partitionDone(): void {
    const b = this.build;
    if (!b) return;
    b.partitionsDone = Math.min(b.partitionsTotal, b.partitionsDone + 1);
    b.tuplesTotal = 0;
    b.tuplesDone = 0;
  }

  /** the statement's builds are over (done, failed or cancelled) */
  end(): void {
    this.build = undefined;
  }

  /** the view's row, while a build runs */
  row(): CreateIndexProgress | undefined {
    return this.build && { ...this.build };
  }
}
