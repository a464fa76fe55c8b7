/**
 * A sealed segment's file written in a worker thread (segment-file-worker.ts): the encoded
 * file's chunks (views of the segment's shared memory, plus the format's small metadata,
 * copied) are written to a temporary file, fsynced, renamed and the directory fsynced, and
 * their crc32 taken, all off the session thread (the crc alone of a 200,000 × 128 segment
 * took ~80 ms of it). Resolves only once the file is durable under its name, so the caller's
 * manifest write that references it comes after, as before. One worker, started when first
 * needed, writes the files one after another (serial-worker.ts).
 */
import { knownBlockCrc } from './column-block-crc.js';
import { SerialWorker } from './serial-worker.js';

export interface SegmentFileRequest {
  /** the segment directory and the file's name in it */
  readonly dir: string;
  readonly name: string;
  /** the data directory (a full disk's error names the file relative to it) */
  readonly dataDir: string;
  readonly chunks: readonly Uint8Array[];
  /** per chunk, the crc of its first bytes when known already (column-block-crc.ts) */
  readonly known?: readonly ({ readonly bytes: number; readonly crc: number } | undefined)[];
}

export interface SegmentFileReply {
  /** crc32 of the file's bytes */
  readonly crc: number;
}

const writer = new SerialWorker<SegmentFileRequest, SegmentFileReply>(new URL('./segment-file-worker.js', import.meta.url), 'segment file write');

/** Starts the writer's thread ahead of a write expected soon (a bulk load under way). */
export function warmSegmentWriter(): void {
  writer.warm();
}

/**
 * Write the file and return its crc32 once it is durable; a full disk fails with 53100
 * (disk-full.ts) and leaves no file behind.
 */
export async function writeSegmentFile(request: SegmentFileRequest): Promise<number> {
  const known = request.chunks.map(knownBlockCrc);
  return (await writer.run(known.some((k) => k !== undefined) ? { ...request, known } : request)).crc;
}
