/**
 * inet, cidr, macaddr and macaddr8 through node-postgres and across a crash: the
 * RowDescription OIDs, binary results (network_send, macaddr_send, macaddr8_send, array_send
 * of inet) and binary parameters (network_recv's checks and errors, macaddr8_recv's 6-byte
 * EUI-48) byte for byte as PostgreSQL 15 sends and answers them (checked against it), and
 * rows in sealed segments with a primary key and a btree index surviving kill -9;
 * inet_client_addr / inet_server_addr / their ports and pg_stat_activity.client_addr.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startQuiver, withClientOn, type QuiverServer } from './support/server.js';

const withClient = <T>(server: QuiverServer, fn: (c: pg.Client) => Promise<T>): Promise<T> => withClientOn(server.port, fn);

/** every field as node-postgres hands over its bytes (decoded as UTF-8) */
const RAW = { getTypeParser: () => (v: string | Buffer) => (typeof v === 'string' ? v : v.toString('utf8')) };
const utf8 = (hex: string): string => Buffer.from(hex, 'hex').toString('utf8');

const rejectsWith = (code: string, message: string, detail?: string) => (e: unknown) =>
  e instanceof pg.DatabaseError && e.code === code && e.message === message && (detail === undefined || e.detail === detail);

test('node-postgres: network type OIDs, binary results and binary parameters as PostgreSQL 15', async () => {
  const server = await startQuiver();
  try {
    await withClient(server, async (c) => {
      const sql = "SELECT '192.168.1.5/24'::inet AS a, '10.0.0.0/8'::cidr AS b, '2001:db8::1'::inet AS c, '08:00:2b:01:02:03'::macaddr AS d, '08:00:2b:01:02:03:04:05'::macaddr8 AS e, '{1.2.3.4,NULL}'::inet[] AS f";
      const text = await c.query(sql);
      assert.deepEqual(text.fields.map((f) => f.dataTypeID), [869, 650, 869, 829, 774, 1041]);
      // node-postgres parses inet[] (its only network type parser) into an array of strings
      assert.deepEqual(text.rows[0], { a: '192.168.1.5/24', b: '10.0.0.0/8', c: '2001:db8::1', d: '08:00:2b:01:02:03', e: '08:00:2b:01:02:03:04:05', f: ['1.2.3.4', null] });

      const bin = await c.query({ text: sql, binary: true, queryMode: 'extended', types: RAW } as pg.QueryConfig);
      assert.deepEqual(bin.rows[0], {
        // family 2 (IPv4) / 3 (IPv6), bits, is_cidr, address length, address
        a: utf8('02180004c0a80105'), b: utf8('020801040a000000'), c: utf8('0380001020010db8000000000000000000000001'),
        d: utf8('08002b010203'), e: utf8('08002b0102030405'),
        // array_send: 1 dimension, has NULLs, element OID 869, 2 elements from 1, then each length-prefixed (-1: NULL)
        f: utf8('0000000100000001000003650000000200000001000000080220000401020304ffffffff'),
      });

      const param = (type: string, bytes: number[]) => c.query(`SELECT $1::${type}::text AS t`, [Buffer.from(bytes)]);
      assert.deepEqual((await param('inet', [2, 24, 0, 4, 192, 168, 1, 5])).rows, [{ t: '192.168.1.5/24' }]);
      assert.deepEqual((await param('inet', [3, 64, 0, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])).rows, [{ t: '2001:db8::1/64' }]);
      assert.deepEqual((await param('cidr', [2, 16, 1, 4, 10, 1, 0, 0])).rows, [{ t: '10.1.0.0/16' }]);
      assert.deepEqual((await param('macaddr8', [8, 0, 0x2b, 1, 2, 3])).rows, [{ t: '08:00:2b:ff:fe:01:02:03' }]);
      assert.deepEqual((await param('macaddr', [8, 0, 0x2b, 1, 2, 3])).rows, [{ t: '08:00:2b:01:02:03' }]);
      await assert.rejects(param('cidr', [2, 24, 1, 4, 192, 168, 1, 5]), rejectsWith('22P03', 'invalid external "cidr" value', 'Value has bits set to right of mask.'));
      await assert.rejects(param('inet', [3, 200, 0, 16, ...new Array(16).fill(0)]), rejectsWith('22P03', 'invalid bits in external "inet" value'));
      await assert.rejects(param('inet', [2, 32, 0, 16, 1, 2, 3, 4]), rejectsWith('22P03', 'invalid length in external "inet" value'));
      await assert.rejects(param('inet', [5, 32, 0, 4, 1, 2, 3, 4]), rejectsWith('22P03', 'invalid address family in external "inet" value'));
      await assert.rejects(param('inet', [2, 32, 0, 4, 1, 2, 3]), rejectsWith('08P01', 'no data left in message'));
      await assert.rejects(param('macaddr', [8, 0, 0x2b, 1, 2, 3, 4]), rejectsWith('22P03', 'incorrect binary data format in bind parameter 1'));
      // the connection's ends, and pg_stat_activity.client_addr, are inet
      const ends = await c.query('SELECT inet_client_addr()::text AS ca, inet_client_port() > 0 AS cp, inet_server_addr()::text AS sa, inet_server_port() AS sp');
      assert.deepEqual(ends.rows, [{ ca: '127.0.0.1/32', cp: true, sa: '127.0.0.1/32', sp: server.port }]);
      const activity = await c.query('SELECT client_addr, pg_typeof(client_addr)::text AS t FROM pg_stat_activity WHERE pid = pg_backend_pid()');
      assert.deepEqual(activity.rows, [{ client_addr: '127.0.0.1', t: 'inet' }]);
      assert.equal(activity.fields[0]!.dataTypeID, 869);
      // text parameters go through inet_in, whose errors name the value
      await assert.rejects(c.query('SELECT $1::inet', ['1.2.3.256']), rejectsWith('22P02', 'invalid input syntax for type inet: "1.2.3.256"'));
    });
  } finally {
    await server.stop();
  }
});

test('inet / cidr / macaddr columns with a primary key and a btree index survive kill -9, sealed segments included', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'quiver-inet-'));
  const env = { ...process.env, QUIVER_SEAL_THRESHOLD_BYTES: String(16 * 1024) };
  try {
    let server = await startQuiver({ dataDir, env });
    try {
      await withClient(server, async (c) => {
        await c.query('CREATE TABLE dur_hosts (ip inet PRIMARY KEY, net cidr, mac macaddr, mac8 macaddr8, ips inet[])');
        await c.query('CREATE INDEX dur_hosts_net ON dur_hosts (net)');
        await c.query(`INSERT INTO dur_hosts SELECT '10.0.0.0'::inet + i, network(set_masklen('10.0.0.0'::inet + i, 24)),
          ('08:00:2b:00:' || lpad(to_hex(i / 256), 2, '0') || ':' || lpad(to_hex(i % 256), 2, '0'))::macaddr, NULL, ARRAY['::'::inet + i]
          FROM generate_series(1, 3000) i`);
        await c.query("INSERT INTO dur_hosts VALUES ('2001:db8::1/64', '2001:db8::/64', '00:00:00:00:00:01', '01:02:03:04:05:06:07:08', '{}')");
      });
    } finally {
      await server.crash();
    }
    server = await startQuiver({ dataDir, env });
    try {
      await withClient(server, async (c) => {
        assert.deepEqual((await c.query('SELECT count(*)::int AS n, min(ip)::text AS lo, max(ip)::text AS hi FROM dur_hosts')).rows, [{ n: 3001, lo: '10.0.0.1/32', hi: '2001:db8::1/64' }]);
        assert.deepEqual((await c.query("SELECT mac::text, ips::text FROM dur_hosts WHERE ip = '10.0.11.184'")).rows, [{ mac: '08:00:2b:00:0b:b8', ips: '{::bb8}' }]);
        assert.deepEqual((await c.query("SELECT count(*)::int AS n FROM dur_hosts WHERE net = '10.0.3.0/24'")).rows, [{ n: 256 }]);
        assert.deepEqual((await c.query("SELECT mac8::text FROM dur_hosts WHERE ip << '2001:db8::/32'")).rows, [{ mac8: '01:02:03:04:05:06:07:08' }]);
        await assert.rejects(c.query("INSERT INTO dur_hosts VALUES ('10.0.0.1')"), rejectsWith('23505', 'duplicate key value violates unique constraint "dur_hosts_pkey"', 'Key (ip)=(10.0.0.1) already exists.'));
        await c.query('DROP TABLE dur_hosts');
      });
    } finally {
      await server.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
