/**
 * The servers a benchmark runs against. A Quiver target is a child process the harness
 * starts itself (temporary data directory, free port) and can restart; a PostgreSQL target
 * is any running server given by URL, which the harness never stops. Both are spoken to
 * with node-postgres only, so they see the same protocol.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, lstatSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { errorMessage, log, nowMs, repoRoot } from './util.js';

export interface MemoryInfo {
  /** resident set size summed over the server's processes */
  rssBytes: number;
  /** proportional set size (shared pages split between processes); null if unreadable */
  pssBytes: number | null;
  processes: number;
  source: string;
}

export interface SizeInfo {
  bytes: number;
  source: string;
}

export interface SqlTarget {
  /** short label for tables: quiver | postgres */
  readonly name: string;
  readonly kind: 'quiver' | 'postgres';
  /** connection string (without password) */
  readonly url: string;
  connect(): Promise<pg.Client>;
  memory(client: pg.Client): Promise<MemoryInfo | string>;
  /**
   * CPU time (user + system, ms) the process serving `client` has used so far: Quiver's
   * server, PostgreSQL's backend for that connection; undefined when /proc cannot tell.
   */
  serverCpuMs(client: pg.Client): Promise<number | undefined>;
  dataSize(client: pg.Client, table: string): Promise<SizeInfo | string>;
  /** Stops and starts the server on the same data; resolves to seconds until a query answers, or an explanation. */
  restart(probe: (c: pg.Client) => Promise<void>): Promise<number | string>;
  stop(): Promise<void>;
}

// ---------------------------------------------------------------- /proc helpers

function procStatusField(pid: number, field: string): number | null {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** utime + stime of a process in ms (/proc/PID/stat, clock ticks of 10 ms), or undefined */
function cpuMs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

function rssBytes(pid: number): number | null {
  const kb = procStatusField(pid, 'VmRSS');
  return kb === null ? null : kb * 1024;
}

function pssBytes(pid: number): number | null {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

function childrenOf(parent: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if (procStatusField(Number(entry), 'PPid') === parent) out.push(Number(entry));
  }
  return out;
}

function sumMemory(pids: number[], source: string): MemoryInfo | string {
  let rss = 0;
  let pss: number | null = 0;
  let counted = 0;
  for (const pid of pids) {
    const r = rssBytes(pid);
    if (r === null) continue;
    rss += r;
    counted++;
    const p = pssBytes(pid);
    pss = p === null || pss === null ? null : pss + p;
  }
  if (counted === 0) return `n/a (cannot read /proc for pids ${pids.join(', ')})`;
  return { rssBytes: rss, pssBytes: pss, processes: counted, source };
}

/** Total size of the regular files under a directory (symlinks not followed). */
export function directorySize(dir: string): number {
  let total = 0;
  const walk = (d: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e);
      let st;
      try {
        st = lstatSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) total += st.size;
    }
  };
  walk(dir);
  return total;
}

function isLocalHost(host: string | undefined): boolean {
  return host === undefined || host === '' || host === 'localhost' || host === '127.0.0.1' || host === '::1' || host.startsWith('/');
}

// ---------------------------------------------------------------- PostgreSQL

export interface PostgresRestart {
  /** shell command that stops the server (e.g. pg_ctl -D … -m fast stop) */
  stop: string;
  /** shell command that starts it again (e.g. pg_ctl -D … -w start) */
  start: string;
}

function shell(cmd: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('/bin/sh', ['-c', cmd], { timeout: timeoutMs }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`'${cmd}' failed: ${err.message.split('\n')[0]} ${stderr.trim().split('\n').slice(-2).join(' ')}`));
      else resolve();
    });
  });
}

export class PostgresTarget implements SqlTarget {
  readonly name = 'postgres';
  readonly kind = 'postgres' as const;
  /** restart commands: only for a server the user owns (never the shared scratch one) */
  constructor(
    readonly url: string,
    private readonly restartCommands?: PostgresRestart,
  ) {}

  async connect(): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: this.url, application_name: 'quiver-bench' });
    await c.connect();
    return c;
  }

  async memory(client: pg.Client): Promise<MemoryInfo | string> {
    const host = new URL(this.url).hostname;
    if (!isLocalHost(host)) return `n/a (server ${host} is not local)`;
    const r = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const backend = r.rows[0]!.pid;
    const postmaster = procStatusField(backend, 'PPid');
    if (postmaster === null) return `n/a (backend pid ${backend} not visible in /proc)`;
    return sumMemory([postmaster, ...childrenOf(postmaster)], `postmaster ${postmaster} and its children (includes shared_buffers as touched)`);
  }

  async serverCpuMs(client: pg.Client): Promise<number | undefined> {
    if (!isLocalHost(new URL(this.url).hostname)) return undefined;
    const r = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return cpuMs(r.rows[0]!.pid);
  }

  async dataSize(client: pg.Client, table: string): Promise<SizeInfo | string> {
    // the table with its TOAST and indexes; the database may hold unrelated tables
    const r = await client.query<{ db: string; rel: string }>(
      `SELECT pg_database_size(current_database())::text AS db, pg_total_relation_size('${table}')::text AS rel`,
    );
    return { bytes: Number(r.rows[0]!.rel), source: `pg_total_relation_size('${table}') (table, TOAST, indexes; WAL not included); whole database ${r.rows[0]!.db} bytes` };
  }

  /** Stops with the stop command, then times start command → connection → first correct answer. */
  async restart(probe: (c: pg.Client) => Promise<void>): Promise<number | string> {
    if (!this.restartCommands) return 'n/a (external PostgreSQL server; pass --pg-stop-cmd and --pg-start-cmd to measure)';
    try {
      await shell(this.restartCommands.stop, 120_000);
      const t0 = nowMs();
      await shell(this.restartCommands.start, 120_000);
      let client: pg.Client | undefined;
      while (!client) {
        try {
          client = await this.connect();
        } catch (e) {
          if (nowMs() - t0 > 60_000) throw e;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      try {
        await probe(client);
      } finally {
        await client.end().catch(() => undefined);
      }
      return (nowMs() - t0) / 1000;
    } catch (e) {
      return `failed: ${errorMessage(e)}`;
    }
  }

  async stop(): Promise<void> {}
}

// ---------------------------------------------------------------- Quiver

export interface QuiverOptions {
  entry: string;
  database: string;
  user: string;
  logLevel: string;
  startTimeoutMs: number;
  cwd: string;
}

/**
 * Run `node <args>` (a Quiver main.js with its flags: a data directory kept between runs,
 * --cpu-prof …) and wait for its "listening" line: the process and its port. For scripts
 * that manage their own server; QuiverTarget starts one in a temporary directory.
 */
export function spawnQuiverProcess(args: readonly string[]): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (s: Buffer): void => {
      out += s.toString();
      for (const line of out.split('\n')) {
        const port = listeningPort(line);
        if (port !== undefined) resolve({ proc, port });
      }
    };
    proc.stderr!.on('data', onData);
    proc.stdout!.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

/** Port from a JSON log line whose msg mentions "listening" (e.g. {"msg":"listening","port":5433}). */
export function listeningPort(line: string): number | undefined {
  if (!/"msg":"[^"]*listening[^"]*"/.test(line)) return undefined;
  try {
    const rec = JSON.parse(line) as { port?: unknown };
    if (typeof rec.port === 'number' && rec.port > 0) return rec.port;
  } catch {
    const m = /"port":(\d+)/.exec(line);
    if (m) return Number(m[1]);
  }
  return undefined;
}

export class QuiverTarget implements SqlTarget {
  readonly name = 'quiver';
  readonly kind = 'quiver' as const;
  private child: ChildProcess | undefined;
  private port = 0;
  private stderrTail: string[] = [];
  private constructor(
    private readonly opts: QuiverOptions,
    private readonly dataDir: string,
  ) {}

  get url(): string {
    return `postgres://${this.opts.user}@127.0.0.1:${this.port}/${this.opts.database}`;
  }

  /** the server process's id (undefined when it is not running) */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts a Quiver server on a free port with a fresh temporary data directory. */
  static async start(opts: QuiverOptions): Promise<{ target: QuiverTarget; seconds: number }> {
    if (!existsSync(opts.entry)) throw new Error(`Quiver server entry ${opts.entry} not found (build with npx tsc -p .)`);
    const dir = mkdtempSync(join(tmpdir(), 'quiver-bench-'));
    const t = new QuiverTarget(opts, dir);
    try {
      const seconds = await t.spawnServer();
      return { target: t, seconds };
    } catch (e) {
      await t.stop();
      throw e;
    }
  }

  private spawnServer(): Promise<number> {
    const t0 = nowMs();
    const child = spawn(process.execPath, [this.opts.entry, '--host', '127.0.0.1', '--port', '0', '--data', this.dataDir, '--log-level', this.opts.logLevel], {
      cwd: this.opts.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.stderrTail = [];
    return new Promise<number>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => fail(new Error(`Quiver did not report "listening" within ${this.opts.startTimeoutMs} ms`)), this.opts.startTimeoutMs);
      const fail = (e: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const tail = this.stderrTail.slice(-5).join('\n');
        reject(new Error(`${e.message}${tail ? `; server stderr: ${tail}` : ''}`));
      };
      const lineReader = (): ((chunk: string) => void) => {
        let buffered = '';
        return (chunk: string): void => {
        buffered += chunk;
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          this.stderrTail.push(line);
          if (this.stderrTail.length > 50) this.stderrTail.shift();
          if (settled) continue;
          const port = listeningPort(line);
          if (port !== undefined) {
            this.port = port;
            settled = true;
            clearTimeout(timer);
            resolve((nowMs() - t0) / 1000);
          }
        }
        };
      };
      child.stderr!.setEncoding('utf8');
      child.stdout!.setEncoding('utf8');
      child.stderr!.on('data', lineReader());
      child.stdout!.on('data', lineReader());
      child.on('error', (e) => fail(e));
      child.on('exit', (code, signal) => fail(new Error(`Quiver exited early (code ${code}, signal ${signal})`)));
    });
  }

  async connect(): Promise<pg.Client> {
    const c = new pg.Client({ host: '127.0.0.1', port: this.port, user: this.opts.user, database: this.opts.database, application_name: 'quiver-bench' });
    await c.connect();
    return c;
  }

  async memory(): Promise<MemoryInfo | string> {
    const pid = this.child?.pid;
    if (pid === undefined) return 'n/a (server not running)';
    return sumMemory([pid], `Quiver server process ${pid}`);
  }

  async dataSize(): Promise<SizeInfo | string> {
    return { bytes: directorySize(this.dataDir), source: `files under ${this.dataDir}` };
  }

  async serverCpuMs(): Promise<number | undefined> {
    return this.child?.pid === undefined ? undefined : cpuMs(this.child.pid);
  }

  private async killChild(signal: NodeJS.Signals, timeoutMs: number): Promise<boolean> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return true;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
      child.kill(signal);
    });
  }

  async restart(probe: (c: pg.Client) => Promise<void>): Promise<number | string> {
    try {
      if (!(await this.killChild('SIGTERM', 20_000))) await this.killChild('SIGKILL', 5_000);
      const t0 = nowMs();
      await this.spawnServer();
      const c = await this.connect();
      try {
        await probe(c);
      } finally {
        await c.end().catch(() => undefined);
      }
      return (nowMs() - t0) / 1000;
    } catch (e) {
      return `failed: ${errorMessage(e)}`;
    }
  }

  async stop(): Promise<void> {
    if (!(await this.killChild('SIGTERM', 10_000))) await this.killChild('SIGKILL', 5_000);
    this.child = undefined;
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/**
 * `--target quiver` (a server started on a temporary data directory from `repo`'s build) or
 * a PostgreSQL URL, for the single-purpose bench scripts.
 */
export async function targetFromArg(arg: string, repo: string): Promise<SqlTarget> {
  if (arg !== 'quiver') return new PostgresTarget(arg);
  const started = await QuiverTarget.start({ entry: join(repo, 'dist', 'src', 'main.js'), database: 'postgres', user: 'postgres', logLevel: 'warn', startTimeoutMs: 30_000, cwd: repo });
  return started.target;
}

/** What runOnTarget fills in of a target's result. */
export interface TargetRunResult {
  url: string;
  status: string;
  error?: string;
  startSeconds?: number | null;
}

/**
 * Run `body` against PostgreSQL at `spec`, or against a Quiver the harness starts for it
 * (`spec` = 'quiver') and stops after; a Quiver that does not start marks the result
 * unsupported instead. The main workload and the filtered sweep both run their targets so.
 */
export async function runOnTarget<R extends TargetRunResult>(
  spec: string,
  o: { quiverEntry: string; quiverDatabase: string; quiverUser: string; pgRestart?: PostgresRestart },
  r: R,
  body: (target: SqlTarget, r: R) => Promise<void>,
): Promise<R> {
  if (spec !== 'quiver') {
    await body(new PostgresTarget(spec, o.pgRestart), r);
    return r;
  }
  let target: QuiverTarget;
  try {
    log('[quiver] starting server …');
    const started = await QuiverTarget.start({ entry: o.quiverEntry, database: o.quiverDatabase, user: o.quiverUser, logLevel: 'warn', startTimeoutMs: 30_000, cwd: repoRoot() });
    target = started.target;
    if ('startSeconds' in r) r.startSeconds = Math.round(started.seconds * 1000) / 1000;
    r.url = target.url;
    log(`[quiver] listening at ${target.url} after ${started.seconds.toFixed(2)} s`);
  } catch (e) {
    r.status = 'unsupported';
    r.error = `cannot start Quiver: ${errorMessage(e)}`;
    log(`[quiver] ${r.error}`);
    return r;
  }
  try {
    await body(target, r);
  } finally {
    await target.stop();
  }
  return r;
}
