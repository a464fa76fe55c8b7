/**
 * A bounded protocol fuzz against a real Quiver server: for a time budget (WIRE_FUZZ_MS,
 * default 12 s) several workers open connection after connection and send seeded random
 * and mutated traffic (WIRE_FUZZ_SEED picks the seed; a failure names seed and case):
 * wrong and 2 GB length words, truncated frames, unknown message types, invalid UTF-8 in
 * queries and startup parameters, huge vector literals, deep expression nesting, long IN
 * lists, extended-query messages out of order (Bind without Parse, Execute of an unknown
 * portal), CopyData/CopyDone/CopyFail outside COPY, COPY fed garbage, password messages
 * after startup, random protocol versions and cancel requests.
 *
 * Whenever a case leaves the framing intact, the worker then sends CopyDone, Sync,
 * ROLLBACK and a probe query: the server must answer it or close the connection within
 * PROBE_MS, never hang. After the budget: a new connection works, the sessions opened
 * before the fuzz (one inside a transaction) still work, every row inserted before is still
 * there, no session outlived its connection (pg_stat_activity), and the server logged no
 * uncaught exception, unhandled rejection or internal error (XX000 from a plain exception).
 */
import { seededRandom } from '../bench/util.js';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { connectClient, startQuiver, type QuiverServer } from './support/server.js';

const BUDGET_MS = Number(process.env['WIRE_FUZZ_MS'] ?? 12_000);
const SEED = Number(process.env['WIRE_FUZZ_SEED'] ?? 0x5eed);
const WORKERS = 6;
const PROBE_MS = 15_000;
const ROWS = 500;


class Gen {
  constructor(readonly next: () => number) {}
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
}

// ---- message building ---------------------------------------------------------------------

const cstr = (s: string | Buffer): Buffer => Buffer.concat([typeof s === 'string' ? Buffer.from(s) : s, Buffer.from([0])]);
const i16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const i32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n | 0);
  return b;
};

function frame(code: string | number, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = typeof code === 'string' ? code.charCodeAt(0) : code;
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function startupPacket(params: [Buffer | string, Buffer | string][], version = 0x30000): Buffer {
  const body = Buffer.concat([i32(version), ...params.flatMap(([k, v]) => [cstr(k), cstr(v)]), Buffer.from([0])]);
  return Buffer.concat([i32(body.length + 4), body]);
}

const BAD_UTF8 = [Buffer.from([0xc3, 0x28]), Buffer.from([0xff]), Buffer.from([0xe2, 0x82]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80])];

/** Reads only: the fuzz must never change `t`, whose rows are checked afterwards. */
const QUERIES = [
  'SELECT 1',
  'SELECT count(*) FROM t',
  "SELECT id FROM t ORDER BY v <-> '[1,2,3]' LIMIT 5",
  "SELECT id, v <=> '[0.5,0.1,0.9]' AS d FROM t WHERE id % 7 = 3 ORDER BY d LIMIT 10",
  "SELECT s || 'x', length(s) FROM t WHERE s LIKE 'row 1%' LIMIT 3",
  'SELECT $1::int + 1',
  'SELECT $1::text, $2::vector',
  'INSERT INTO scratch VALUES ($1, $2)',
  "INSERT INTO scratch VALUES (1, 'a') ON CONFLICT DO NOTHING",
  'BEGIN',
  'COMMIT',
  'ROLLBACK',
  'SAVEPOINT a',
  "SET statement_timeout = '3s'",
  'SHOW ALL',
  'SELECT * FROM generate_series(1, 1000)',
  'SELECT * FROM generate_series(1, 300000)',
  'SELECT count(*) FROM generate_series(1, 2000000)',
  'DECLARE c CURSOR WITH HOLD FOR SELECT * FROM t',
  'FETCH 10 FROM c',
  'COPY scratch FROM STDIN',
  'COPY t TO STDOUT',
  'SELECT pg_sleep(0.01)',
  'SELECT 1/0',
  'SELECT * FROM missing_table',
  "SELECT '[1,2,3]'::vector(3) <-> '[1,2]'",
  "SELECT 'x'::json -> 'a'",
  'PREPARE p AS SELECT 1',
  'EXECUTE p',
  'DEALLOCATE ALL',
];

function hugeVector(g: Gen): string {
  const n = g.pick([3, 1000, 16000, 16001, 100_000]);
  return `SELECT '[${Array.from({ length: n }, () => (g.next() * 2 - 1).toFixed(3)).join(',')}]'::vector <-> '[1,2,3]'`;
}

function deepNesting(g: Gen): string {
  const n = g.pick([100, 1000, 5000, 20_000, 60_000]);
  switch (g.int(4)) {
    case 0: return `SELECT ${'('.repeat(n)}1${')'.repeat(n)}`;
    case 1: return `SELECT ${Array.from({ length: n }, (_, i) => String(i)).join(' + ')}`;
    case 2: return `SELECT ${'-'.repeat(n)}1`;
    default: return `SELECT ${'ARRAY['.repeat(Math.min(n, 5000))}1${']'.repeat(Math.min(n, 5000))}`;
  }
}

function inList(g: Gen): string {
  const n = g.pick([10, 1000, 20_000]);
  return `SELECT count(*) FROM t WHERE id IN (${Array.from({ length: n }, (_, i) => i).join(',')})`;
}

/** Some SQL text as bytes, possibly with invalid UTF-8 or random bytes spliced in. */
function sqlBytes(g: Gen): Buffer {
  let sql: string;
  switch (g.int(10)) {
    case 0: sql = hugeVector(g); break;
    case 1: sql = deepNesting(g); break;
    case 2: sql = inList(g); break;
    case 3: sql = Array.from({ length: 1 + g.int(12) }, () => g.pick(['SELECT', 'FROM', 't', '(', ')', ',', "'", '"', '$1', '::', 'vector', '<->', 'ORDER', 'BY', 'LIMIT', 'WHERE', '1', 'NULL', ';', '[', ']', 'E\'\\\\x', '/*', '--'])).join(' '); break;
    default: sql = g.pick(QUERIES);
  }
  let b = Buffer.from(sql);
  if (g.chance(0.2)) {
    const at = g.int(b.length + 1);
    b = Buffer.concat([b.subarray(0, at), g.pick(BAD_UTF8), b.subarray(at)]);
  }
  if (g.chance(0.05)) b = Buffer.concat([b, g.bytes(g.int(20))]);
  // NUL inside a query string ends it early in a cstring: let some through
  return g.chance(0.97) ? Buffer.from(b.filter((x) => x !== 0)) : b;
}

function param(g: Gen): Buffer {
  const kind = g.int(6);
  if (kind === 0) return i32(-1);
  if (kind === 1) return i32(g.pick([-2, 0x7fffffff, 1 << 30, 100])); // lies about its length
  const data = kind === 2 ? g.bytes(g.int(16)) : kind === 3 ? g.pick(BAD_UTF8) : Buffer.from(g.pick(['1', '[1,2,3]', 'abc', '-5', '1e400', '{}', '']));
  return Buffer.concat([i32(data.length), data]);
}

/** One extended-query or other typed message: valid, out of order, or malformed inside. */
function message(g: Gen): Buffer {
  const name = (): string => g.pick(['', '', 's1', 'p1', 'c', 'nope']);
  switch (g.int(15)) {
    case 0:
    case 1:
      return frame('Q', cstr(sqlBytes(g)));
    case 2: {
      const types = Array.from({ length: g.int(3) }, () => g.pick([0, 23, 25, 16388, 0xffffffff, 99999]));
      return frame('P', Buffer.concat([cstr(name()), cstr(sqlBytes(g)), i16(g.chance(0.05) ? 32767 : types.length), ...types.map((t) => i32(t))]));
    }
    case 3: {
      const n = g.int(3);
      const formats = Array.from({ length: g.int(3) }, () => g.pick([0, 1, 2, -1]));
      return frame('B', Buffer.concat([cstr(name()), cstr(name()), i16(formats.length), ...formats.map(i16), i16(g.chance(0.05) ? -1 : n), ...Array.from({ length: n }, () => param(g)), i16(1), i16(g.pick([0, 1, 7]))]));
    }
    case 4:
      return frame('E', Buffer.concat([cstr(name()), i32(g.pick([0, 1, 5, -1]))]));
    case 5:
      return frame('D', Buffer.concat([Buffer.from(g.pick(['S', 'P', 'X'])), cstr(name())]));
    case 6:
      return frame('C', Buffer.concat([Buffer.from(g.pick(['S', 'P', 'Z'])), cstr(name())]));
    case 7:
      return frame('S', Buffer.alloc(0));
    case 8:
      return frame('H', Buffer.alloc(0));
    case 9:
      return frame(g.pick(['d', 'c', 'f']), g.chance(0.5) ? g.bytes(g.int(64)) : cstr('oops'));
    case 10:
      return frame('F', Buffer.concat([i32(g.int(5000)), i16(0), i16(0), i16(0)]));
    case 11:
      return frame('p', cstr(g.chance(0.5) ? 'secret' : g.bytes(8)));
    case 12:
      return frame(g.pick([0x7a, 0x00, 0xff, 0x41, 0x4e]), g.bytes(g.int(8))); // unknown types
    case 13: {
      // a valid message with a byte or two flipped inside its body (length word kept)
      const m = frame('Q', cstr(Buffer.from(g.pick(QUERIES))));
      for (let k = 0; k < 1 + g.int(3); k++) m[5 + g.int(m.length - 5)] = g.int(256);
      return m;
    }
    default:
      return frame('d', g.bytes(g.int(200))); // CopyData, during COPY or not
  }
}

/** A case: the bytes to send, and whether the framing is still intact afterwards. */
interface Case {
  readonly what: string;
  readonly startup: Buffer;
  readonly messages: Buffer[];
  /** framing deliberately broken (lying length, truncation): no probe, the socket is just dropped */
  readonly broken: boolean;
}

function validStartup(g: Gen): Buffer {
  const params: [Buffer | string, Buffer | string][] = [['user', 'postgres'], ['database', g.chance(0.9) ? 'postgres' : 'nodb']];
  if (g.chance(0.3)) params.push([g.pick(['application_name', 'client_encoding', 'DateStyle', 'options', 'search_path', 'x_unknown', '_pq_.thing']), g.chance(0.5) ? Buffer.concat([Buffer.from('v'), g.pick(BAD_UTF8)]) : g.pick(['UTF8', 'LATIN1', 'ISO, MDY', '-c work_mem=64kB', 'public', ''])]);
  if (g.chance(0.1)) params.push([Buffer.concat([Buffer.from('k'), g.pick(BAD_UTF8)]), 'v']);
  if (g.chance(0.05)) params[0] = ['user', Buffer.concat([Buffer.from('u'), g.pick(BAD_UTF8)])];
  return startupPacket(params);
}

function makeCase(g: Gen): Case {
  const kind = g.int(10);
  if (kind === 0) {
    // a broken startup phase
    const variants: [string, Buffer][] = [
      ['startup length 2 GB', Buffer.concat([i32(0x7fffffff), i32(0x30000)])],
      ['startup length 3', i32(3)],
      ['startup length 10001', Buffer.concat([i32(10001), g.bytes(100)])],
      ['protocol 9.9', startupPacket([['user', 'postgres']], 0x90009)],
      ['protocol 3.7', startupPacket([['user', 'postgres'], ['_pq_.x', '1']], 0x30007)],
      ['no user', startupPacket([['database', 'postgres']])],
      ['no terminator', (() => { const p = startupPacket([['user', 'postgres']]); return p.subarray(0, p.length - 1).length === 0 ? p : Buffer.concat([i32(p.length - 1), p.subarray(4, p.length - 1)]); })()],
      ['random cancel', Buffer.concat([i32(16), i32(80877102), i32(g.int(1e6)), i32(g.int(2 ** 31))])],
      ['SSLRequest + garbage', Buffer.concat([i32(8), i32(80877103), g.bytes(16)])],
      ['random startup', Buffer.concat([i32(8 + g.int(64)), g.bytes(8 + g.int(64))])],
    ];
    const [what, bytes] = g.pick(variants);
    return { what, startup: bytes, messages: [], broken: true };
  }
  if (kind === 3) {
    // extended protocol run to the end, in pieces: portal suspension, or COPY fed garbage
    const copy = g.chance(0.3);
    const sql = copy ? 'COPY scratch FROM STDIN' : g.pick(['SELECT * FROM generate_series(1, 50)', 'SELECT id, v FROM t ORDER BY id', "SELECT id FROM t ORDER BY v <-> '[3,1,2]' LIMIT 20"]);
    const messages = [frame('P', Buffer.concat([cstr(''), cstr(sql), i16(0)])), frame('B', Buffer.concat([cstr('p'), cstr(''), i16(0), i16(0), i16(0)]))];
    for (let k = 0; k < 1 + g.int(4); k++) messages.push(frame('E', Buffer.concat([cstr('p'), i32(g.int(20))])));
    if (copy) for (let k = 0; k < g.int(4); k++) messages.push(frame('d', g.chance(0.5) ? Buffer.from(`${g.int(100)}\t${g.pick(['x', '\\N', 'a\tb', ''])}\n`) : g.bytes(g.int(30))));
    if (copy && g.chance(0.5)) messages.push(frame(g.pick(['c', 'f']), cstr('stop')));
    messages.push(frame('S', Buffer.alloc(0)));
    return { what: copy ? 'extended COPY' : 'portal in pieces', startup: validStartup(g), messages, broken: g.chance(0.2) };
  }
  const messages = Array.from({ length: 1 + g.int(8) }, () => message(g));
  let broken = false;
  let what = 'messages';
  if (kind === 1) {
    // lie in a length word: huge, a little too long, or too short
    const m = messages[g.int(messages.length)]!;
    const lie = g.pick([0x7fffffff, 0x40000000, 0x3fffffff, m.length + 10, 3, 0, -1]);
    m.writeInt32BE(lie | 0, 1);
    broken = true;
    what = `length word ${lie}`;
  } else if (kind === 2) {
    // cut the last message short
    const last = messages.length - 1;
    messages[last] = messages[last]!.subarray(0, g.int(messages[last]!.length));
    broken = true;
    what = 'truncated frame';
  }
  return { what, startup: validStartup(g), messages, broken };
}

// ---- a raw connection that notices answers, closes and silence ------------------------------

class Probe {
  private buf = Buffer.alloc(0);
  closed = false;
  private waiters: (() => void)[] = [];
  readonly socket: net.Socket;

  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('data', (d) => {
      this.buf = this.buf.length > 1 << 20 ? d : Buffer.concat([this.buf, d]);
      this.wake();
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    this.socket.on('error', () => {});
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  write(b: Buffer): void {
    if (!this.closed) this.socket.write(b);
  }

  /** true once `done(received)` holds or the socket closed; false after `ms` of neither. */
  async until(done: (b: Buffer) => boolean, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.closed && !done(this.buf)) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return true;
  }

  get received(): Buffer {
    return this.buf;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** the probe's value, built by the query so that no earlier result or echo can look like it */
const ANSWER = Buffer.from('probe-4242');
/** a DataRow carrying the probe's value followed by a ReadyForQuery: the probe query was answered */
const answered = (b: Buffer): boolean => {
  const at = b.lastIndexOf(ANSWER);
  return at >= 0 && b.indexOf(Buffer.from([0x5a, 0, 0, 0, 5]), at) >= 0;
};
/** a whole ReadyForQuery after the startup */
const ready = (b: Buffer): boolean => b.indexOf(Buffer.from([0x5a, 0, 0, 0, 5])) >= 0;

/** how the cases ended, for the log line: a fuzz that only ever gets closed tests little */
const outcomes = { answered: 0, closed: 0, dropped: 0 };

async function runCase(port: number, c: Case, g: Gen): Promise<string | undefined> {
  const p = new Probe(port);
  await new Promise<void>((resolve) => {
    p.socket.once('connect', resolve);
    p.socket.once('close', resolve);
  });
  try {
    p.write(c.startup);
    if (c.broken) outcomes.dropped++;
    if (c.broken && c.messages.length === 0) {
      // a broken startup: the server closes, or waits for bytes that never come; either is fine
      await p.until(() => false, 30);
      return undefined;
    }
    if (!(await p.until(ready, PROBE_MS))) return 'no ReadyForQuery after a valid startup';
    if (p.closed) return undefined; // refused (unknown database, bad parameter)
    // all at once, or one message per write
    if (g.chance(0.5)) p.write(Buffer.concat(c.messages));
    else for (const m of c.messages) p.write(m);
    if (c.broken) {
      await p.until(() => false, g.int(40));
      return undefined;
    }
    // end a COPY IN, an extended-query error and a (failed) transaction the case left open
    p.write(Buffer.concat([frame('c', Buffer.alloc(0)), frame('S', Buffer.alloc(0)), frame('Q', cstr('ROLLBACK')), frame('Q', cstr("SELECT 'probe-' || 4242"))]));
    if (!(await p.until(answered, PROBE_MS))) return `neither answered nor closed within ${PROBE_MS} ms (received ${p.received.length} bytes)`;
    outcomes[answered(p.received) ? 'answered' : 'closed']++;
    return undefined;
  } finally {
    p.destroy();
  }
}

// ---- the test ------------------------------------------------------------------------------

let server: QuiverServer;

before(async () => {
  server = await startQuiver();
});

after(async () => {
  await server?.stop();
});

test(`protocol fuzz for ${BUDGET_MS} ms (seed ${SEED}): the server, other sessions and the data survive`, { timeout: BUDGET_MS + 120_000 }, async () => {
  const setup = await connectClient(server);
  await setup.query('CREATE TABLE t (id int PRIMARY KEY, v vector(3), s text)');
  await setup.query(`INSERT INTO t SELECT i, ('[' || i % 10 || ',' || i % 7 || ',' || i % 3 || ']')::vector, 'row ' || i FROM generate_series(1, ${ROWS}) i`);
  await setup.query('CREATE INDEX ON t USING hnsw (v vector_l2_ops)');
  await setup.query('CREATE TABLE scratch (id int, s text)');
  const witnesses = [setup, await connectClient(server), await connectClient(server)];
  await witnesses[1]!.query('BEGIN');
  await witnesses[1]!.query("INSERT INTO scratch VALUES (-1, 'kept')");

  const failures: string[] = [];
  let cases = 0;
  const stopAt = Date.now() + BUDGET_MS;
  await Promise.all(Array.from({ length: WORKERS }, async (_, w) => {
    const g = new Gen(seededRandom(SEED * 31 + w));
    while (Date.now() < stopAt && failures.length < 5) {
      const n = cases++;
      const c = makeCase(g);
      const problem = await runCase(server.port, c, g);
      if (problem) failures.push(`worker ${w} case ${n} (${c.what}): ${problem}; first bytes ${c.messages.map((m) => m.subarray(0, 40).toString('latin1')).join(' | ').slice(0, 300)}`);
    }
  }));
  assert.deepEqual(failures, [], `WIRE_FUZZ_SEED=${SEED}`);
  assert.ok(cases > 50, `only ${cases} cases ran`);

  // the server still answers a new connection correctly
  const fresh = await connectClient(server);
  const check = (await fresh.query('SELECT count(*)::int AS n, sum(id)::int AS s, count(DISTINCT s)::int AS d FROM t')).rows[0];
  assert.deepEqual(check, { n: ROWS, s: (ROWS * (ROWS + 1)) / 2, d: ROWS });
  // the only rows at distance 0 are the multiples of 210
  const knn = (await fresh.query("SELECT id FROM t ORDER BY v <-> '[0,0,0]' LIMIT 2")).rows.map((r) => r.id).sort((a, b) => a - b);
  assert.deepEqual(knn, [210, 420]);
  await fresh.end();

  // the sessions open the whole time still work, the transaction too
  for (const c of witnesses) assert.equal((await c.query('SELECT count(*)::int AS n FROM t')).rows[0].n, ROWS);
  assert.equal((await witnesses[1]!.query('SELECT s FROM scratch WHERE id = -1')).rows[0].s, 'kept');
  await witnesses[1]!.query('COMMIT');
  assert.equal((await witnesses[2]!.query('SELECT count(*)::int AS n FROM scratch WHERE id = -1')).rows[0].n, 1);
  for (const c of witnesses) await c.end();

  // no session outlived its connection: only `last` is left once the others are gone
  const last = await connectClient(server);
  const deadline = Date.now() + 10_000;
  let sessions = -1;
  while (Date.now() < deadline) {
    sessions = (await last.query('SELECT count(*)::int AS n FROM pg_stat_activity')).rows[0].n;
    if (sessions === 1) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(sessions, 1, 'sessions left behind by closed connections');
  await last.end();

  const log = server.stderr();
  // "internal error": a plain JS exception reached the client as XX000 instead of a SQLSTATE
  const bad = /uncaught exception|unhandled rejection|connection loop failed|"msg":"internal error"/;
  assert.doesNotMatch(log, bad, log.split('\n').filter((l) => bad.test(l)).slice(0, 3).join('\n'));
  // most probed cases must reach the probe query, or the fuzz hardly gets past the first FATAL
  assert.ok(outcomes.answered > outcomes.closed, JSON.stringify(outcomes));
  console.log(`wire fuzz: ${cases} cases by ${WORKERS} workers in ${BUDGET_MS} ms, seed ${SEED}: ${JSON.stringify(outcomes)}`);
});
