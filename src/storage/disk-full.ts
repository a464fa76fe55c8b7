/**
 * A full disk (ENOSPC, or a full quota: EDQUOT) is PostgreSQL's 53100 `disk_full`: the
 * statement fails with `could not extend file "…": No space left on device` and the hint
 * `Check free disk space.` (md.c's mdextend), and the server keeps running.
 */
import { isAbsolute, relative } from 'node:path';
import { SqlError, SqlState } from '../errors.js';

/**
 * True when an I/O error means the disk (or the quota) is full. classic-level reports
 * LevelDB's status as text ("IO error: …: No space left on device"), node as an errno code,
 * a worker thread as the text of node's message ("ENOSPC: no space left on device, write").
 */
export function isDiskFull(e: unknown): boolean {
  const err = e as (NodeJS.ErrnoException & { code?: unknown }) | undefined;
  if (err?.code === 'ENOSPC' || err?.code === 'EDQUOT' || err?.code === SqlState.diskFull) return true;
  const text = `${err?.message ?? ''} ${String((err as { cause?: unknown } | undefined)?.cause ?? '')}`;
  return /No space left on device|Disk quota exceeded|ENOSPC|EDQUOT/i.test(text);
}

/**
 * The file a disk-full error names: node's errno `path`, else the one in LevelDB's status
 * text ("IO error: /data/wal/000005.log: No space left on device"), else `fallback`.
 */
function fileOf(e: unknown, fallback: string): string {
  const err = e as (NodeJS.ErrnoException & { cause?: unknown }) | undefined;
  if (typeof err?.path === 'string') return err.path;
  const text = `${err?.message ?? ''} ${String(err?.cause ?? '')}`;
  const m = /IO error: (\/[^:]+):/.exec(text);
  return m ? m[1] : fallback;
}

/**
 * PostgreSQL's error for a write that found the disk full, naming the file relative to the
 * data directory (as PostgreSQL names "base/5/16385"). An error that already is one is kept.
 */
export function diskFullError(e: unknown, dataDir: string, fallbackFile: string): SqlError {
  if (e instanceof SqlError && e.code === SqlState.diskFull) return e;
  const file = fileOf(e, fallbackFile);
  const shown = isAbsolute(file) && !relative(dataDir, file).startsWith('..') ? relative(dataDir, file) : file;
  return new SqlError(SqlState.diskFull, `could not extend file "${shown}": No space left on device`, { hint: 'Check free disk space.' });
}
