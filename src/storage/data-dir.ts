/**
 * The data directory: format version, the lock that keeps a second server out, and the
 * helpers that make files durable (write to a temporary name, fsync, rename, fsync dir).
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, readdirSync, renameSync, writeSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const FORMAT_VERSION = 1;
export const VERSION_FILE = 'QUIVER_VERSION';
export const PID_FILE = 'quiver.pid';
export const WAL_DIR = 'wal';
export const SEGMENTS_DIR = 'segments';

/** An error that stops the server from starting; the message names the file at fault. */
export class StorageStartupError extends Error {}

/** Write a file durably: temp file, fsync, rename over the target, fsync the directory. */
export function writeFileDurable(dir: string, name: string, bytes: Uint8Array): void {
  const tmp = join(dir, `${name}.tmp`);
  writeFileSynced(tmp, bytes);
  renameSync(tmp, join(dir, name));
  fsyncDir(dir);
}

/** Write (create or replace) a file and fsync it; its directory entry is the caller's to sync. */
export function writeFileSynced(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    let off = 0;
    while (off < bytes.byteLength) off += writeSync(fd, bytes, off, bytes.byteLength - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

/**
 * Check (or, for an empty directory, create) the format version file.
 * Refuses directories written by another format and non-empty directories that are not
 * Quiver data directories.
 */
export function checkFormatVersion(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, VERSION_FILE);
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8').trim();
    if (text !== String(FORMAT_VERSION)) {
      throw new StorageStartupError(`data directory ${dataDir} has format version "${text}" (file ${file}); this server reads version ${FORMAT_VERSION}`);
    }
    return;
  }
  const present = readdirSync(dataDir).filter((f) => f === WAL_DIR || f === SEGMENTS_DIR);
  if (present.length > 0) {
    throw new StorageStartupError(`data directory ${dataDir} has ${present.join(', ')} but no ${VERSION_FILE} file: not a Quiver data directory, or damaged`);
  }
  mkdirSync(join(dataDir, SEGMENTS_DIR), { recursive: true });
  writeFileDurable(dataDir, VERSION_FILE, Buffer.from(`${FORMAT_VERSION}\n`));
}

export function readPidFile(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, PID_FILE), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function writePidFile(dataDir: string): void {
  writeFileDurable(dataDir, PID_FILE, Buffer.from(`${process.pid}\n`));
}
