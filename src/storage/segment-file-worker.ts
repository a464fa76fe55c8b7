/**
 * Worker thread that writes sealed segment files (segment-file-write.ts): writev of the
 * chunks to `<name>.tmp`, fsync, rename, fsync of the directory, crc32 of the bytes. A write
 * that fails removes the temporary file (a full disk must not keep the space it took).
 *
 * The crc is taken on this thread while the fsync waits for the disk (in libuv's thread
 * pool): one after the other they were two thirds of a bulk load's wait for its file at
 * commit (60,000 × vector(784), 188 MB: write ~95 ms, fsync ~95 ms, crc ~90 ms). The writes
 * stay on this thread: queued behind the log's fsyncs in the pool (a busy server), a
 * seal's write took so long that seals hardly finished. A bulk load's vector column has
 * most of its crc taken already (column-block-crc.ts, while the load came): only the rest
 * of it is read here, and combined in.
 */
import { closeSync, fsync, openSync, renameSync, unlinkSync, writevSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { crc32Combine } from './crc32-combine.js';
import { fsyncDir } from './data-dir.js';
import { diskFullError, isDiskFull } from './disk-full.js';
import type { SegmentFileReply, SegmentFileRequest } from './segment-file-write.js';
import { serveSerially } from './serial-worker.js';

/** writev until every byte is written (writev may write less; IOV_MAX is 1024 on Linux). */
function writeAll(fd: number, chunks: readonly Uint8Array[]): void {
  for (let i = 0; i < chunks.length; i += 512) {
    let rest = chunks.slice(i, i + 512).filter((c) => c.byteLength > 0);
    while (rest.length) {
      let written = writevSync(fd, rest);
      while (rest.length && written >= rest[0].byteLength) {
        written -= rest[0].byteLength;
        rest = rest.slice(1);
      }
      if (rest.length && written > 0) rest = [rest[0].subarray(written), ...rest.slice(1)];
    }
  }
}

/**
 * The crc32 of the chunks in order: a chunk whose first bytes' crc is known (a column block's,
 * taken while the load came) is read only past them, and combined in.
 */
function fileCrc(req: SegmentFileRequest): number {
  let crc = 0;
  req.chunks.forEach((c, i) => {
    const k = req.known?.[i];
    if (k === undefined || k.bytes > c.byteLength) crc = crc32(c, crc);
    else crc = crc32Combine(crc, crc32(c.subarray(k.bytes), k.crc), c.byteLength);
  });
  return crc;
}

async function write(req: SegmentFileRequest): Promise<SegmentFileReply> {
  const path = join(req.dir, req.name);
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  let crc = 0;
  try {
    writeAll(fd, req.chunks);
    // one request to libuv's thread pool: the fsync waits for the disk while this thread
    // takes the crc
    const synced = new Promise<void>((resolve, reject) => fsync(fd, (e) => (e ? reject(e) : resolve())));
    synced.catch(() => {});
    crc = fileCrc(req);
    await synced;
  } catch (e) {
    closeSync(fd);
    try { unlinkSync(tmp); } catch { /* not there */ }
    throw isDiskFull(e) ? diskFullError(e, req.dataDir, path) : e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  fsyncDir(req.dir);
  return { crc };
}

serveSerially<SegmentFileRequest, SegmentFileReply>(write);
