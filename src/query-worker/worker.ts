/**
 * A query worker (worker_threads entry): holds the attached segments' vector data (views
 * of the coordinator's SharedArrayBuffers, never copies) and their index views, and serves
 * protocol requests one at a time. It knows nothing of tables, rows or SQL.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AnnHit, AnnIndex } from '../ann/api.js';
import { openAnnIndex } from '../ann/open.js';
import { judgeFilteredWalk } from '../ann/trapped-walk.js';
import { SqlError } from '../errors.js';
import { chunkRanker, rankChunks, vectorChunks } from './native-rank.js';
import { BestPositions, rankKernel } from './kernels.js';
import {
  bitmapHas, boardHas, type AnnSearchRequest, type ExactTopKRequest, type Hits, type OkResponse, type SharedVectors,
  type WorkerInit, type WorkerRequest, type WorkerResponse,
} from './protocol.js';

/** One attached segment: its vector column as per-record-batch views, and its indexes. */
export interface AttachedSegment {
  readonly dim: number;
  readonly count: number;
  readonly chunks: readonly { readonly start: number; readonly rows: number; readonly data: Float32Array }[];
  readonly indexes: Map<string, AnnIndex>;
}

/** Rows between two looks at the cancel board. */
const CANCEL_CHECK_ROWS = 4096;

class Cancelled extends Error {}

export function attachVectors(vectors: SharedVectors): AttachedSegment {
  return { dim: vectors.dim, count: vectors.count, chunks: vectorChunks(vectors), indexes: new Map() };
}

/** The request-serving state of one worker; exported so tests can drive it in-thread. */
export class WorkerState {
  private readonly segments = new Map<string, AttachedSegment>();
  /** why an attach failed (attaches are fire-and-forget: the next request reports it) */
  private readonly attachErrors = new Map<string, string>();

  constructor(private readonly isCancelled: (id: number) => boolean = () => false) {}

  handle(req: WorkerRequest): WorkerResponse {
    try {
      return this.serve(req);
    } catch (e) {
      if (req.kind === 'attach' || req.kind === 'attachIndex') {
        this.attachErrors.set(req.kind === 'attach' ? req.segment : `${req.segment}/${req.index}`, e instanceof Error ? e.message : String(e));
      }
      if (e instanceof Cancelled) return { id: req.id, ok: false, error: { code: '57014', message: 'canceling statement due to user request' } };
      if (e instanceof SqlError) return { id: req.id, ok: false, error: { code: e.code, message: e.message, ...(e.fields.detail ? { detail: e.fields.detail } : {}) } };
      return { id: req.id, ok: false, error: { code: 'XX000', message: `query worker: ${e instanceof Error ? e.message : String(e)}` } };
    }
  }

  private serve(req: WorkerRequest): OkResponse {
    switch (req.kind) {
      case 'attach':
        this.detach(req.segment);
        this.segments.set(req.segment, attachVectors(req.vectors));
        return { id: req.id, ok: true };
      case 'attachIndex': {
        const seg = this.segment(req.segment);
        seg.indexes.get(req.index)?.close();
        const f = req.file;
        seg.indexes.set(req.index, openAnnIndex(f, () => seg.chunks));
        return { id: req.id, ok: true };
      }
      case 'detach':
        this.detach(req.segment);
        return { id: req.id, ok: true };
      case 'annSearch':
        return this.annSearch(req);
      case 'exactTopK':
        return { id: req.id, ok: true, hits: this.exactTopK(this.segment(req.segment), req, req.start, req.end) };
    }
  }

  get attachedCount(): number { return this.segments.size; }

  private why(key: string): string {
    const reason = this.attachErrors.get(key);
    return reason ? `: ${reason}` : ' (bug)';
  }

  private detach(key: string): void {
    this.attachErrors.delete(key);
    const seg = this.segments.get(key);
    if (!seg) return;
    for (const idx of seg.indexes.values()) idx.close();
    this.segments.delete(key);
  }

  private segment(key: string): AttachedSegment {
    const seg = this.segments.get(key);
    if (!seg) throw new Error(`segment ${key} is not attached${this.why(key)}`);
    return seg;
  }

  /**
   * Index search (in-graph filtered, or ANN then filter with one widening); when it cannot
   * deliver k allowed positions the exact scan of the allowed positions answers instead.
   */
  private annSearch(req: AnnSearchRequest): OkResponse {
    const seg = this.segment(req.segment);
    const index = seg.indexes.get(req.index);
    if (!index) throw new Error(`index ${req.index} of segment ${req.segment} is not attached${this.why(`${req.segment}/${req.index}`)}`);
    const exact = (switched: boolean, widenings = 0): OkResponse =>
      ({ id: req.id, ok: true, exhausted: true, widenings, ...(switched ? { switched } : {}), hits: this.exactTopK(seg, req, 0, seg.count) });
    const hitsOf = (found: readonly AnnHit[]): Hits =>
      ({ positions: Int32Array.from(found, (h) => h.position), distances: Float64Array.from(found, (h) => h.distance) });
    if (req.inGraph && req.allowed) {
      const r = index.filteredSearch?.(req.query, Math.max(req.want, req.k), req.ef, req.allowed, req.inGraph.budget);
      const verdict = judgeFilteredWalk(index, req.query, r, req.k, req.inGraph.allowed / seg.count);
      if (verdict === 'ok') return { id: req.id, ok: true, widenings: 0, hits: hitsOf(r!.hits) };
      return exact(verdict === 'switch');
    }
    let want = Math.max(req.want, req.k);
    for (let widenings = 0; ; widenings++) {
      if (this.isCancelled(req.id)) throw new Cancelled();
      const n = Math.min(want, index.size);
      const found = index.search(req.query, n, req.ef).filter((h) => !req.allowed || bitmapHas(req.allowed, h.position));
      if (found.length >= req.k) return { id: req.id, ok: true, widenings, hits: hitsOf(found) };
      // the index gave all it has, or the one widening came back short too: exact
      if (n >= index.size || widenings === 1) return exact(n < index.size, widenings);
      want = n * 4;
    }
  }

  private exactTopK(seg: AttachedSegment, req: AnnSearchRequest | ExactTopKRequest, start: number, end: number): Hits {
    const { rank } = rankKernel(req.op, req.half, seg.dim);
    const best = new BestPositions(req.keep);
    const q = req.query;
    const allowed = req.allowed;
    const dim = seg.dim;
    const ranker = chunkRanker(req.op, dim);
    if (ranker) {
      return rankChunks(ranker, seg.chunks, q, req.keep, start, end, allowed, () => {
        if (this.isCancelled(req.id)) throw new Cancelled();
      });
    }
    let sinceCheck = 0;
    for (const c of seg.chunks) {
      const from = Math.max(start, c.start);
      const to = Math.min(end, c.start + c.rows);
      for (let pos = from; pos < to; pos++) {
        if (++sinceCheck === CANCEL_CHECK_ROWS) {
          sinceCheck = 0;
          if (this.isCancelled(req.id)) throw new Cancelled();
        }
        if (allowed && !bitmapHas(allowed, pos)) continue;
        const o = (pos - c.start) * dim;
        best.offer(rank(c.data.subarray(o, o + dim), q), pos);
      }
    }
    return best.result();
  }
}

if (parentPort) {
  const init = workerData as WorkerInit;
  const board = new Int32Array(init.cancelBoard);
  const state = new WorkerState((id) => boardHas(board, init.slot, id));
  const port = parentPort;
  port.on('message', (req: WorkerRequest) => {
    port.postMessage(state.handle(req));
  });
}
