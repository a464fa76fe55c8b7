/**
 * Test support for the wire tests: a scripted fake Backend (canned rows, errors, notices,
 * COPY), a registry, and a raw protocol client that returns undecoded frames.
 */
import net from 'node:net';
import pino from 'pino';
import { SqlError, type SqlNotice } from '../src/errors.js';
import { OID, sqlType, type SqlType, type Value } from '../src/types/types.js';
import type { Backend, BackendRegistry, ExecResult, FieldInfo, PreparedStatement, StartupInfo } from '../src/wire/backend.js';
import { startWireServer, type WireServer } from '../src/wire/server.js';
import type { ConnectionSecurity } from '../src/wire/connection.js';

interface FakeStatement extends PreparedStatement {
  readonly sql: string;
  run(params: readonly Value[]): Promise<ExecResult>;
}

const field = (name: string, type: SqlType): FieldInfo => ({ name, type, tableOid: 0, columnAttr: 0 });

/** One value of every type with a binary codec, and the bytes PostgreSQL 15 sends for it. */
export const TYPED_VALUES: { type: SqlType; value: Value; pgHex: string; text: string }[] = [
  { type: sqlType(OID.bool), value: true, pgHex: '01', text: 't' },
  { type: sqlType(OID.int2), value: 1234, pgHex: '04d2', text: '1234' },
  { type: sqlType(OID.int4), value: -123456, pgHex: 'fffe1dc0', text: '-123456' },
  { type: sqlType(OID.int8), value: 9007199254740993n, pgHex: '0020000000000001', text: '9007199254740993' },
  { type: sqlType(OID.float4), value: 1.5, pgHex: '3fc00000', text: '1.5' },
  { type: sqlType(OID.float8), value: -2.25e100, pgHex: 'd4c492e2ca475bed', text: '-2.25e+100' },
  { type: sqlType(OID.numeric), value: '12.50', pgHex: '0002000000000002000c1388', text: '12.50' },
  { type: sqlType(OID.numeric), value: '-0.000123', pgHex: '0002ffff40000006000108fc', text: '-0.000123' },
  { type: sqlType(OID.numeric), value: '0', pgHex: '0000000000000000', text: '0' },
  { type: sqlType(OID.numeric), value: 'NaN', pgHex: '00000000c0000000', text: 'NaN' },
  { type: sqlType(OID.numeric), value: '123456789.0001', pgHex: '0004000200000004000109291a850001', text: '123456789.0001' },
  { type: sqlType(OID.numeric), value: '10000', pgHex: '00010001000000000001', text: '10000' },
  { type: sqlType(OID.numeric), value: '-1.5', pgHex: '000200004000000100011388', text: '-1.5' },
  { type: sqlType(OID.numeric), value: '0.00', pgHex: '0000000000000002', text: '0.00' },
  { type: sqlType(OID.numeric), value: 'Infinity', pgHex: '00000000d0000020', text: 'Infinity' },
  { type: sqlType(OID.numeric), value: '-Infinity', pgHex: '00000000f0000020', text: '-Infinity' },
  { type: sqlType(OID.text), value: 'héllo', pgHex: '68c3a96c6c6f', text: 'héllo' },
  { type: sqlType(OID.varchar), value: 'ab', pgHex: '6162', text: 'ab' },
  { type: sqlType(OID.bpchar, 7), value: 'x  ', pgHex: '782020', text: 'x  ' },
  { type: sqlType(OID.name), value: 'nm', pgHex: '6e6d', text: 'nm' },
  { type: sqlType(OID.json), value: '{"a": 1}', pgHex: '7b2261223a20317d', text: '{"a": 1}' },
  { type: sqlType(OID.jsonb), value: '{"a": 1}', pgHex: '017b2261223a20317d', text: '{"a": 1}' },
  { type: sqlType(OID.bytea), value: Buffer.from([0, 255]), pgHex: '00ff', text: '\\x00ff' },
  { type: sqlType(OID.uuid), value: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', pgHex: 'a0eebc999c0b4ef8bb6d6bb9bd380a11', text: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' },
  { type: sqlType(OID.date), value: Date.UTC(2024, 1, 29) / 86_400_000, pgHex: '00002279', text: '2024-02-29' },
  { type: sqlType(OID.date), value: Infinity, pgHex: '7fffffff', text: 'infinity' },
  { type: sqlType(OID.time), value: (13 * 3600 + 45 * 60 + 30.5) * 1e6, pgHex: '0000000b883f73a0', text: '13:45:30.5' },
  { type: sqlType(OID.timestamp), value: Date.UTC(2024, 1, 29, 13, 45, 30) * 1000 + 123456, pgHex: '0002b5843dc614c0', text: '2024-02-29 13:45:30.123456' },
  { type: sqlType(OID.timestamptz), value: Date.UTC(2024, 1, 29, 13, 45, 30) * 1000 + 123456, pgHex: '0002b5843dc614c0', text: '2024-02-29 13:45:30.123456+00' },
  { type: sqlType(OID.timestamp), value: Infinity, pgHex: '7fffffffffffffff', text: 'infinity' },
  { type: sqlType(OID.interval), value: { months: 14, days: 3, micros: (4 * 3600 + 5 * 60 + 6.7) * 1e6 }, pgHex: '000000036c966ee0000000030000000e', text: '1 year 2 mons 3 days 04:05:06.7' },
  { type: sqlType(OID.oid), value: 1259, pgHex: '000004eb', text: '1259' },
  { type: sqlType(OID.regclass), value: 1259, pgHex: '000004eb', text: 'pg_class' },
  { type: sqlType(OID.regtype), value: 23, pgHex: '00000017', text: 'integer' },
  { type: sqlType(OID._int4), value: [1, 2, null], pgHex: '000000010000000100000017000000030000000100000004000000010000000400000002ffffffff', text: '{1,2,NULL}' },
  { type: sqlType(OID._text), value: [['a', 'b'], ['c', 'd']], pgHex: '000000020000000000000019000000020000000100000002000000010000000161000000016200000001630000000164', text: '{{a,b},{c,d}}' },
  { type: sqlType(OID._int4), value: [], pgHex: '000000000000000000000017', text: '{}' },
  { type: sqlType(OID.vector), value: Float32Array.of(1, 2.5, -3), pgHex: '000300003f80000040200000c0400000', text: '[1,2.5,-3]' },
  // element OID differs from PostgreSQL's (pgvector's OIDs vary per database): 0x4001 = 16385
  { type: sqlType(OID._vector), value: [Float32Array.of(1, 2)], pgHex: '00000001000000000000400100000001000000010000000c000200003f80000040000000', text: '{"[1,2]"}' },
];

export class FakeBackend implements Backend {
  readonly calls: string[] = [];
  readonly notices: SqlNotice[] = [];
  readonly parameterChanges: [string, string][] = [];
  readonly settings = new Map<string, string>([['TimeZone', 'UTC'], ['DateStyle', 'ISO, MDY'], ['extra_float_digits', '1']]);
  status: 'I' | 'T' | 'E' = 'I';
  closed = false;
  cancelled = false;
  syncs = 0;
  copied: Buffer[] | SqlError | undefined;
  /** `copy held`: CopyData bytes handed to accept() so far, and what lets its parse go on */
  acceptedBytes = 0;
  releaseCopy: (() => void) | undefined;
  private cancelWaiter: (() => void) | undefined;

  constructor(readonly processId: number, readonly secretKey: number) {}

  startup(params: Record<string, string>): StartupInfo {
    this.calls.push(`startup ${params['user']}@${params['database']}`);
    if (params['database'] === 'nodb') throw new SqlError('3D000', `database "nodb" does not exist`);
    return {
      parameterStatus: [['server_version', '15.18'], ['server_encoding', 'UTF8'], ['client_encoding', 'UTF8'], ['DateStyle', 'ISO, MDY'], ['integer_datetimes', 'on'], ['standard_conforming_strings', 'on'], ['TimeZone', 'UTC']],
      processId: this.processId,
      secretKey: this.secretKey,
    };
  }

  splitStatements(sql: string): string[] {
    return sql.split(';').map((s) => s.trim()).filter((s) => s !== '');
  }

  /**
   * The script: `series N` rows 1..N; `echo $1 $2 …` returns its parameters (untyped ones as
   * text); `types` one row of TYPED_VALUES; `bad <word>` fails to prepare at <word>;
   * `fail` fails with all error fields; `crash` throws a plain Error; `notice`; `set k v`;
   * `begin`/`commit`/`rollback`; `copy in`; `copy held` (parsing the first CopyData waits for
   * releaseCopy()); `copy out`; `sleep` waits for a cancel.
   */
  prepare(sql: string, paramTypes: readonly number[]): FakeStatement {
    this.calls.push(`prepare ${sql}`);
    const words = sql.split(/\s+/);
    const command = (tag: string, effect: () => void = () => {}): FakeStatement => ({
      sql, paramTypes: [], fields: null, run: async () => (effect(), { kind: 'command', tag }),
    });
    switch (words[0]!.toLowerCase()) {
      case 'series': {
        const fields = [field('n', sqlType(OID.int4))];
        const n = Number(words[1]);
        return { sql, paramTypes: [], fields, run: async () => ({ kind: 'rows', fields, rows: Array.from({ length: n }, (_, i) => [i + 1]), tag: `SELECT ${n}` }) };
      }
      case 'echo': {
        const count = (sql.match(/\$\d+/g) ?? []).length;
        const types = Array.from({ length: count }, (_, i) => paramTypes[i] || OID.text);
        const fields = types.map((oid, i) => field(`p${i + 1}`, sqlType(oid)));
        return { sql, paramTypes: types, fields, run: async (params) => ({ kind: 'rows', fields, rows: [[...params]], tag: 'SELECT 1' }) };
      }
      case 'types': {
        const fields = TYPED_VALUES.map((t, i) => field(`c${i}`, t.type));
        return { sql, paramTypes: [], fields, run: async () => ({ kind: 'rows', fields, rows: [TYPED_VALUES.map((t) => t.value)], tag: 'SELECT 1' }) };
      }
      case 'bad': {
        throw new SqlError('42601', `syntax error at or near "${words[1]}"`, { position: sql.indexOf(words[1]!) + 1 });
      }
      case 'fail':
        return { sql, paramTypes: [], fields: null, run: async () => {
          if (this.status === 'T') this.status = 'E';
          throw new SqlError('23505', 'duplicate key value violates unique constraint "t_pkey"', {
            detail: 'Key (id)=(1) already exists.', hint: 'some hint', schema: 'public', table: 't', constraint: 't_pkey', column: 'id', dataType: 'integer', where: 'somewhere',
          });
        } };
      case 'crash':
        return { sql, paramTypes: [], fields: null, run: async () => { throw new TypeError('boom'); } };
      case 'notice':
        return command('DO', () => this.notices.push({ severity: 'NOTICE', code: '00000', message: 'hello notice', detail: 'd', hint: 'h' }));
      case 'set':
        return command('SET', () => this.parameterChanges.push([words[1]!, words[2]!]));
      case 'begin':
        return command('BEGIN', () => (this.status = 'T'));
      case 'commit':
        return command(this.status === 'E' ? 'ROLLBACK' : 'COMMIT', () => (this.status = 'I'));
      case 'rollback':
        return command('ROLLBACK', () => (this.status = 'I'));
      case 'copy':
        if (words[1] === 'held') {
          // a COPY whose parse of the first CopyData waits until releaseCopy()
          let release!: () => void;
          const held = new Promise<void>((r) => (release = r));
          this.releaseCopy = release;
          return { sql, paramTypes: [], fields: null, run: async () => ({
            kind: 'copyIn', format: 'text', columnCount: 1,
            accept: (chunk) => {
              this.acceptedBytes += chunk.length;
              return held;
            },
            finish: async (data) => {
              if (data instanceof SqlError) throw data;
              return { tag: `COPY ${this.acceptedBytes}` };
            },
          }) };
        }
        if (words[1] === 'in') {
          return { sql, paramTypes: [], fields: null, run: async () => ({
            kind: 'copyIn', format: 'text', columnCount: 2,
            finish: async (data) => {
              this.copied = data;
              if (data instanceof SqlError) throw data;
              return { tag: `COPY ${Buffer.concat(data).toString().split('\n').filter((l) => l).length}` };
            },
          }) };
        }
        return { sql, paramTypes: [], fields: null, run: async () => ({ kind: 'copyOut', format: 'text', columnCount: 2, chunks: [Buffer.from('1\ta\n'), Buffer.from('2\tb\n')], tag: 'COPY 2' }) };
      case 'sleep':
        return { sql, paramTypes: [], fields: null, run: () => new Promise<ExecResult>((_, reject) => {
          this.cancelWaiter = () => reject(new SqlError('57014', 'canceling statement due to user request'));
          if (this.cancelled) this.cancelWaiter();
        }) };
    }
    throw new SqlError('42601', `syntax error at or near "${words[0]}"`, { position: 1 });
  }

  execute(stmt: PreparedStatement, params: readonly Value[]): Promise<ExecResult> {
    this.calls.push(`execute ${(stmt as FakeStatement).sql}`);
    return (stmt as FakeStatement).run(params);
  }

  transactionStatus(): 'I' | 'T' | 'E' { return this.status; }
  takeNotices(): SqlNotice[] { return this.notices.splice(0); }
  takeParameterChanges(): [string, string][] { return this.parameterChanges.splice(0); }
  setting(name: string): string | undefined { return this.settings.get(name); }
  sync(): void { this.syncs++; }
  cancel(): void {
    this.cancelled = true;
    this.cancelWaiter?.();
  }
  close(): void { this.closed = true; }
}

export class FakeRegistry implements BackendRegistry {
  readonly backends: FakeBackend[] = [];
  create(): FakeBackend {
    const b = new FakeBackend(1000 + this.backends.length, 4242 + this.backends.length);
    this.backends.push(b);
    return b;
  }
  cancel(processId: number, secretKey: number): void {
    this.backends.find((b) => b.processId === processId && b.secretKey === secretKey)?.cancel();
  }
}

export async function startFakeServer(security?: ConnectionSecurity): Promise<{ server: WireServer; registry: FakeRegistry }> {
  const registry = new FakeRegistry();
  const server = await startWireServer({ host: '127.0.0.1', port: 0, registry, logger: pino({ level: process.env['WIRE_LOG'] ?? 'silent' }), ...(security ? { security } : {}) });
  return { server, registry };
}

export interface RawFrame {
  code: string;
  body: Buffer;
}

/** A raw protocol client: write any bytes, read whole backend frames (or single bytes for SSL). */
export class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;
  readonly socket: net.Socket;

  private constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.notify();
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
    this.socket.on('error', () => {});
  }

  static async connect(port: number): Promise<RawClient> {
    const c = new RawClient(port);
    await new Promise<void>((resolve, reject) => {
      c.socket.once('connect', resolve);
      c.socket.once('error', reject);
    });
    return c;
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private async waitForData(): Promise<void> {
    if (this.closed) throw new Error('connection closed');
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('timeout waiting for server')), 5000);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  write(data: Buffer | Buffer[]): void {
    this.socket.write(Array.isArray(data) ? Buffer.concat(data) : data);
  }

  async readByte(): Promise<string> {
    while (this.buf.length < 1) await this.waitForData();
    const b = String.fromCharCode(this.buf[0]!);
    this.buf = this.buf.subarray(1);
    return b;
  }

  async readFrame(): Promise<RawFrame> {
    for (;;) {
      if (this.buf.length >= 5) {
        const len = this.buf.readInt32BE(1);
        if (this.buf.length >= 1 + len) {
          const frame = { code: String.fromCharCode(this.buf[0]!), body: this.buf.subarray(5, 1 + len) };
          this.buf = this.buf.subarray(1 + len);
          return frame;
        }
      }
      await this.waitForData();
    }
  }

  /** Frames up to and including the next ReadyForQuery. */
  async untilReady(): Promise<RawFrame[]> {
    const frames: RawFrame[] = [];
    for (;;) {
      const f = await this.readFrame();
      frames.push(f);
      if (f.code === 'Z') return frames;
    }
  }

  /** Resolves when the server closed the connection (frames received until then). */
  async untilClosed(): Promise<RawFrame[]> {
    const frames: RawFrame[] = [];
    for (;;) {
      try {
        frames.push(await this.readFrame());
      } catch (e) {
        if (this.closed) return frames;
        throw e;
      }
    }
  }

  end(): void {
    this.socket.end();
  }
}

/** The fields of an ErrorResponse/NoticeResponse by letter. */
export function errorFields(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let o = 0;
  while (body[o] !== 0) {
    const letter = String.fromCharCode(body[o]!);
    const end = body.indexOf(0, o + 1);
    out[letter] = body.toString('utf8', o + 1, end);
    o = end + 1;
  }
  return out;
}

/** DataRow → values as raw buffers (null for NULL). */
export function dataRowValues(body: Buffer): (Buffer | null)[] {
  const n = body.readInt16BE(0);
  let o = 2;
  const out: (Buffer | null)[] = [];
  for (let i = 0; i < n; i++) {
    const len = body.readInt32BE(o);
    o += 4;
    if (len < 0) {
      out.push(null);
      continue;
    }
    out.push(body.subarray(o, o + len));
    o += len;
  }
  return out;
}

export const cstringBody = (body: Buffer): string => body.toString('utf8', 0, body.indexOf(0));

/** A short summary of frames for assertions: "1", "2", "D:1,2", "C:SELECT 1", "E:42601", "Z:I" … */
export function summarize(frames: RawFrame[]): string[] {
  return frames.map((f) => {
    switch (f.code) {
      case 'D': return 'D:' + dataRowValues(f.body).map((v) => (v === null ? 'NULL' : v.toString())).join(',');
      case 'C': return 'C:' + cstringBody(f.body);
      case 'E': return 'E:' + errorFields(f.body)['C'];
      case 'N': return 'N:' + errorFields(f.body)['M'];
      case 'Z': return 'Z:' + String.fromCharCode(f.body[0]!);
      case 'S': return 'S:' + cstringBody(f.body);
      default: return f.code;
    }
  });
}

/** Start a session on a raw client: StartupMessage, frames until ReadyForQuery. */
export async function rawSession(port: number, startup: Buffer): Promise<{ client: RawClient; frames: RawFrame[] }> {
  const client = await RawClient.connect(port);
  client.write(startup);
  return { client, frames: await client.untilReady() };
}
