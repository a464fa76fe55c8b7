/**
 * Start a throw-away PostgreSQL 15 for differential tests: initdb into a temporary
 * directory, one `postgres` child on a free port, `stop()` ends exactly that child and
 * removes the directory. PostgreSQL refuses to run as root, so under root the server runs
 * as the `postgres` user (Debian's package creates it). When no PostgreSQL 15 binaries are
 * installed, `startPostgres` answers with the reason instead, and the caller skips.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PostgresServer {
  readonly port: number;
  readonly host: string;
  stop(): Promise<void>;
}

const BINDIR = process.env.QUIVER_TEST_PG_BINDIR ?? '/usr/lib/postgresql/15/bin';

/** The uid/gid to run PostgreSQL as: ours, or the postgres user's when we are root. */
function runAs(): { uid: number; gid: number } | undefined | string {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return 'running as root and there is no postgres user to run PostgreSQL as';
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A C.UTF-8 (else C) cluster like the scratch server sql-tests' expected output comes from. */
function localeOption(): string {
  try {
    const locales = execFileSync('locale', ['-a'], { encoding: 'utf8' });
    return /^c\.utf-?8$/im.test(locales) ? '--locale=C.UTF-8' : '--locale=C';
  } catch {
    return '--locale=C';
  }
}

/** settings: more `-c name=value` for the server (e.g. max_prepared_transactions=10) */
export async function startPostgres(settings: readonly string[] = []): Promise<PostgresServer | string> {
  for (const b of ['initdb', 'postgres']) {
    if (!existsSync(join(BINDIR, b))) return `no PostgreSQL 15 at ${BINDIR} (set QUIVER_TEST_PG_BINDIR)`;
  }
  const user = runAs();
  if (typeof user === 'string') return user;
  const dir = mkdtempSync(join(tmpdir(), 'quiver-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const opts = { ...(user ?? {}), env: { ...process.env, LC_ALL: undefined, LANG: undefined } };
  try {
    execFileSync(join(BINDIR, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', localeOption(), '--no-sync'], { ...opts, stdio: 'pipe' });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    return `initdb failed: ${(e as { stderr?: Buffer }).stderr?.toString() ?? String(e)}`;
  }
  const port = await freePort();
  const child: ChildProcess = spawn(join(BINDIR, 'postgres'), [
    '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1',
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'TimeZone=UTC',
    ...settings.flatMap((s) => ['-c', s]),
  ], { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (s) => { log += s; });
  child.stderr!.on('data', (s) => { log += s; });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      // SIGINT is PostgreSQL's "fast shutdown"
      await new Promise<void>((done) => { child.once('exit', () => done()); child.kill('SIGINT'); });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 30_000);
    const check = (): void => {
      if (/ready to accept connections/.test(log)) { clearTimeout(timer); resolve(true); }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', () => { clearTimeout(timer); resolve(false); });
  });
  if (!ready) {
    await stop();
    return `PostgreSQL did not start: ${log.slice(-2000)}`;
  }
  return { port, host: '127.0.0.1', stop };
}
