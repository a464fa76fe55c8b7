/**
 * Child processes of a loopback cluster (etcd, nats-server, s3rver, Quiver nodes): started
 * with their output in a log file, listed with role, pid and port (cluster.json), stopped
 * exactly — never a process this module did not start.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { openSync, closeSync, existsSync } from 'node:fs';

export type ClusterRole = 'etcd' | 'nats' | 's3' | 'proxy' | 'data' | 'query' | 'index';

export interface ManagedProcess {
  readonly role: ClusterRole;
  /** a name unique in the cluster, e.g. "nats-2" */
  readonly name: string;
  readonly pid: number;
  /** the port clients use */
  readonly port: number;
  readonly log: string;
  readonly child: ChildProcess;
  /** resolves when the process has exited */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs` */
  stop(graceMs?: number): Promise<void>;
  /** kill -9 */
  kill9(): Promise<void>;
}

/** A port nobody listens on now (the OS picks it; another process could still take it first). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Ports that are distinct from each other (freePort can hand out the same one twice in a row). */
export async function freePorts(n: number): Promise<number[]> {
  const out = new Set<number>();
  while (out.size < n) out.add(await freePort());
  return [...out];
}

/**
 * Whether children start in process groups of their own (default: the parent's). The
 * launcher's command line turns it on: a terminal's Ctrl-C then reaches the launcher
 * alone, which stops the Quiver nodes before the infrastructure they use, instead of
 * every process getting SIGINT at once.
 */
export const childProcessGroups = { own: false };

export function spawnManaged(role: ClusterRole, name: string, port: number, command: string, args: readonly string[], log: string, env: NodeJS.ProcessEnv = process.env): ManagedProcess {
  const fd = openSync(log, 'a');
  const child = spawn(command, args, { stdio: ['ignore', fd, fd], env, detached: childProcessGroups.own });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    role, name, pid: child.pid, port, log, child, exited,
    async stop(graceMs = 5000) {
      if (!alive()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => { if (alive()) child.kill('SIGKILL'); }, graceMs);
      await exited;
      clearTimeout(timer);
    },
    async kill9() {
      if (!alive()) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/** Poll `ready` until it returns true (exceptions count as not yet) or `timeoutMs` passes. */
export async function waitUntil(what: string, ready: () => Promise<boolean> | boolean, timeoutMs = 30_000, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await ready()) return;
    } catch (e) {
      last = e;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/**
 * The path of `bin`, installing Debian's `pkg` when it is missing (as root, or with sudo),
 * as .ci/run does for the test's packages. Throws with the reason when it cannot.
 */
export function ensureBinary(bin: string, pkg: string, candidates: readonly string[] = []): string {
  const found = [...candidates, ...['/usr/bin', '/usr/sbin', '/usr/local/bin'].map((d) => `${d}/${bin}`)].find((p) => existsSync(p));
  if (found) return found;
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const run = (args: string[]) => execFileSync(sudo[0] ?? args[0], sudo.length ? args : args.slice(1), { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  try {
    run(['apt-get', 'update']);
    run(['apt-get', 'install', '-y', '--no-install-recommends', pkg]);
  } catch (e) {
    throw new Error(`${bin} is missing and installing Debian's ${pkg} failed: ${e instanceof Error ? e.message : e}`);
  }
  const after = ['/usr/bin', '/usr/sbin', '/usr/local/bin'].map((d) => `${d}/${bin}`).find((p) => existsSync(p));
  if (!after) throw new Error(`${pkg} installed, but ${bin} is not on /usr/bin, /usr/sbin or /usr/local/bin`);
  return after;
}
