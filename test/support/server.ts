/**
 * Start and stop a Quiver server for tests: one child process per call, on a free port,
 * with its own temporary data directory. `stop()` ends exactly that child and removes the
 * directory, so tests never touch processes or files they did not create.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listeningPort } from '../../bench/targets.js';
import pg from 'pg';

export interface QuiverServer {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** the child's process id (undefined for an external server), e.g. to send it SIGHUP */
  readonly pid?: number | undefined;
  /** Everything the server wrote to stderr so far (its JSON log lines). */
  stderr(): string;
  stop(): Promise<void>;
  /** kill -9: no shutdown at all (the data directory is kept when it was given). */
  crash(): Promise<void>;
}

export interface StartOptions {
  /** pino log level; default "warn" (or $QUIVER_TEST_LOG_LEVEL). main.js must log its "listening" line at this level too. */
  logLevel?: string;
  /** Milliseconds to wait for the listening line; default 20000. */
  timeoutMs?: number;
  /** Use this data directory instead of a fresh temporary one (it is then not removed). */
  dataDir?: string;
  /** Extra command-line arguments for main.js. */
  args?: string[];
  env?: NodeJS.ProcessEnv;
}

/** The repository root: this file runs from dist/test/support/server.js. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const MAIN_JS = join(REPO_ROOT, 'dist', 'src', 'main.js');

/**
 * Set QUIVER_TEST_PORT to run the server-based tests against an already-running server on
 * 127.0.0.1 instead (e.g. real PostgreSQL, to check a test's expectations); nothing is
 * started or stopped then.
 */
export function externalServer(): QuiverServer | undefined {
  const port = Number(process.env.QUIVER_TEST_PORT);
  if (!(port > 0)) return undefined;
  return { port, host: '127.0.0.1', dataDir: '', stderr: () => '', stop: async () => {}, crash: async () => {} };
}

/** Database name for client tests (Quiver ignores it; for real PostgreSQL pick one with vector). */
export const TEST_DATABASE = process.env.QUIVER_TEST_DATABASE ?? 'postgres';

export async function startQuiver(opts: StartOptions = {}): Promise<QuiverServer> {
  const external = externalServer();
  if (external) return external;
  if (!existsSync(MAIN_JS)) {
    throw new Error(`Quiver entry point ${MAIN_JS} not found; run \`npx tsc -p .\` first`);
  }
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'quiver-test-')));
  const host = '127.0.0.1';
  const child = spawn(
    process.execPath,
    [MAIN_JS, '--host', host, '--port', '0', '--data', dataDir, '--log-level', opts.logLevel ?? process.env.QUIVER_TEST_LOG_LEVEL ?? 'warn', ...(opts.args ?? [])],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } },
  );
  let stderr = '';
  let stdout = '';
  child.stderr!.setEncoding('utf8');
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (s: string) => { stdout += s; });

  const removeDir = async () => {
    if (ownDir) await rm(dataDir, { recursive: true, force: true });
  };

  let port: number;
  try {
    port = await new Promise<number>((resolvePort, reject) => {
      const timeoutMs = opts.timeoutMs ?? 20000;
      const timer = setTimeout(() => {
        reject(new Error(`Quiver did not log "listening" within ${timeoutMs} ms.\n--- stderr ---\n${stderr}\n--- stdout ---\n${stdout}`));
      }, timeoutMs);
      const onData = (s: string) => {
        stderr += s;
        const found = findListeningPort(stderr) ?? findListeningPort(stdout);
        if (found !== undefined) {
          clearTimeout(timer);
          resolvePort(found);
        }
      };
      child.stderr!.on('data', onData);
      child.stdout!.on('data', () => {
        const found = findListeningPort(stdout);
        if (found !== undefined) {
          clearTimeout(timer);
          resolvePort(found);
        }
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`could not spawn Quiver: ${err.message}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`Quiver exited before listening (code ${code}, signal ${signal}).\n--- stderr ---\n${stderr}\n--- stdout ---\n${stdout}`));
      });
    });
  } catch (err) {
    await killChild(child);
    await removeDir();
    throw err;
  }
  // Keep collecting stderr after start-up (for diagnostics), without blocking the child.
  child.stderr!.on('data', () => {});

  let stopped = false;
  return {
    port,
    host,
    dataDir,
    pid: child.pid,
    stderr: () => stderr,
    async stop() {
      if (stopped) return;
      stopped = true;
      await killChild(child);
      await removeDir();
    },
    async crash() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((done) => {
          child.once('exit', () => done());
          child.kill('SIGKILL');
        });
      }
      await removeDir();
    },
  };
}

/** Finds the `"msg":"listening"` line (with a `"port":N`) in the JSON log lines seen so far. */
function findListeningPort(text: string): number | undefined {
  for (const line of text.split('\n')) {
    const port = listeningPort(line);
    if (port !== undefined) return port;
  }
  return undefined;
}

/** SIGTERM, then SIGKILL after 5 s; resolves when the child has exited. */
async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((done) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    child.kill('SIGTERM');
  });
}

/**
 * A node-postgres client of a test server, connected; its 'error' events are ignored (a
 * connection the test terminates or cancels also reports there).
 */
export async function connectClient(server: QuiverServer, database = TEST_DATABASE): Promise<pg.Client> {
  const c = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database });
  c.on('error', () => {});
  await c.connect();
  return c;
}


/**
 * Run `fn` with a client connected to 127.0.0.1:`port` as postgres (a cluster's proxy or a
 * data node; `applicationName` names the session; the connection attempt gives up after
 * `connectTimeoutMs`), then end it.
 */
export async function withClientOn<T>(port: number, fn: (c: pg.Client) => Promise<T>, applicationName?: string, connectTimeoutMs = 10_000): Promise<T> {
  const c = new pg.Client({
    host: '127.0.0.1', port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: connectTimeoutMs,
    ...(applicationName !== undefined ? { application_name: applicationName } : {}),
  });
  c.on('error', () => {});
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => {});
  }
}
