/**
 * The pg_hba.conf parser and matcher (src/wire/hba.ts), without a server: fields, quoting,
 * lists, continuation lines, CIDR and address+netmask for IPv4 and IPv6, keywords, the
 * first-match rule, PostgreSQL 15's refusal wording, and configuration errors that name
 * the line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HbaConfigError, addressBytes, describeHba, hbaRefusal, matchHba, parseHba, type HbaRequest } from '../src/wire/hba.js';

const req = (o: Partial<HbaRequest> = {}): HbaRequest => ({ address: '127.0.0.1', ssl: false, user: 'alice', database: 'app', ...o });

/** The line number of the matching rule, 'reject', or 'none'. */
function decide(text: string, r: Partial<HbaRequest> = {}): number | string {
  const d = matchHba(parseHba(text), req(r));
  if (d.kind === 'no-match') return 'none';
  return d.kind === 'reject' ? `reject@${d.rule.line}` : `${d.method}@${d.rule.line}`;
}

function configError(text: string): { reason: string; line: number } {
  try {
    parseHba(text, '/etc/q/hba.conf');
  } catch (e) {
    assert.ok(e instanceof HbaConfigError, String(e));
    assert.match(e.message, /line \d+ of configuration file "\/etc\/q\/hba\.conf"/);
    return { reason: e.reason, line: e.line };
  }
  assert.fail(`no error for ${JSON.stringify(text)}`);
}

test('fields, comments, blank lines and continuation lines', () => {
  const rules = parseHba('# comment\n\n  host all all 127.0.0.1/32 trust # trailing\nhost app \\\n  bob 10.0.0.0/8 md5\n');
  assert.equal(rules.length, 2);
  assert.deepEqual(rules.map((r) => [r.line, r.type, r.method]), [[3, 'host', 'trust'], [4, 'host', 'md5']]);
  assert.equal(decide('host app \\\n bob 10.0.0.0/8 md5', { user: 'bob', address: '10.1.2.3' }), 'md5@1');
});

test('first matching line wins; no line → no-match', () => {
  const conf = 'host all bob 127.0.0.1/32 reject\nhost all all 127.0.0.1/32 scram-sha-256\nhost all all 0.0.0.0/0 md5\n';
  assert.equal(decide(conf, { user: 'bob' }), 'reject@1');
  assert.equal(decide(conf, { user: 'alice' }), 'scram-sha-256@2');
  assert.equal(decide(conf, { address: '192.168.1.9' }), 'md5@3');
  assert.equal(decide(conf, { address: '::1' }), 'none');
  assert.equal(decide(''), 'none');
});

test('database field: all, sameuser, names, quoted names, lists, replication', () => {
  assert.equal(decide('host sameuser all all trust', { user: 'app', database: 'app' }), 'trust@1');
  assert.equal(decide('host sameuser all all trust', { user: 'alice', database: 'app' }), 'none');
  assert.equal(decide('host "all" all all trust', { database: 'app' }), 'none');
  assert.equal(decide('host "all" all all trust', { database: 'all' }), 'trust@1');
  assert.equal(decide('host one,two, app all all trust'), 'trust@1');
  assert.equal(decide('host "My DB",x all all trust', { database: 'My DB' }), 'trust@1');
  assert.equal(decide('host replication all all trust', { database: 'replication' }), 'none');
  assert.equal(decide('host samerole all all trust', { user: 'app', database: 'app' }), 'trust@1');
});

test('+role and samerole follow role membership', () => {
  // alice belongs to team; bob to nothing; the lookup stands in for the catalog
  const isMemberOf = (user: string, role: string): boolean => user === 'alice' && role === 'team';
  assert.equal(decide('host all +team all md5', { user: 'alice', isMemberOf }), 'md5@1');
  assert.equal(decide('host all +team all md5', { user: 'bob', isMemberOf }), 'none');
  assert.equal(decide('host all +team all md5', { user: 'team', isMemberOf }), 'md5@1');
  assert.equal(decide('host samerole all all trust', { user: 'alice', database: 'team', isMemberOf }), 'trust@1');
  assert.equal(decide('host samegroup all all trust', { user: 'bob', database: 'team', isMemberOf }), 'none');
});

test('user field: all, names, lists, +group as the role of that name', () => {
  assert.equal(decide('host all bob,alice all password'), 'password@1');
  assert.equal(decide('host all bob all password'), 'none');
  assert.equal(decide('host all +alice all password'), 'password@1');
  assert.equal(decide('host all "+alice" all password', { user: '+alice' }), 'password@1');
  assert.equal(decide('host all "all" all password'), 'none');
});

test('addresses: IPv4/IPv6 CIDR, address + netmask, all, IPv4-mapped clients', () => {
  assert.equal(decide('host all all 10.0.0.0/8 trust', { address: '10.200.1.1' }), 'trust@1');
  assert.equal(decide('host all all 10.0.0.0/8 trust', { address: '11.0.0.1' }), 'none');
  assert.equal(decide('host all all 10.0.0.0/8 trust', { address: '::ffff:10.9.9.9' }), 'trust@1');
  assert.equal(decide('host all all 192.168.0.0 255.255.0.0 trust', { address: '192.168.44.1' }), 'trust@1');
  assert.equal(decide('host all all 192.168.0.0 255.255.0.0 trust', { address: '192.169.0.1' }), 'none');
  assert.equal(decide('host all all ::1/128 trust', { address: '::1' }), 'trust@1');
  assert.equal(decide('host all all ::1/128 trust', { address: '127.0.0.1' }), 'none');
  assert.equal(decide('host all all fe80::/10 trust', { address: 'fe80::1234:5678' }), 'trust@1');
  assert.equal(decide('host all all 2001:db8:: ffff:ffff:: trust', { address: '2001:db8:ffff::1' }), 'trust@1');
  assert.equal(decide('host all all 2001:db8::/32 trust', { address: '2001:db9::1' }), 'none');
  assert.equal(decide('host all all 0.0.0.0/0 trust', { address: '::1' }), 'none');
  assert.equal(decide('host all all all trust', { address: '::1' }), 'trust@1');
  assert.equal(decide('host all all 127.0.0.1/32 trust', { address: '127.0.0.2' }), 'none');
  assert.deepEqual([...addressBytes('::ffff:1.2.3.4')!], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 1, 2, 3, 4]);
});

test('samehost and samenet use the server addresses given', () => {
  const rules = parseHba('host all all samehost trust\nhost all all samenet md5\n');
  const local = [{ address: '10.1.2.3', netmask: '255.255.0.0' }];
  assert.equal(matchHba(rules, req({ address: '10.1.2.3' }), local).kind, 'method');
  const d = matchHba(rules, req({ address: '10.1.99.1' }), local);
  assert.ok(d.kind === 'method' && d.method === 'md5' && d.rule.line === 2);
  assert.equal(matchHba(rules, req({ address: '10.2.0.1' }), local).kind, 'no-match');
});

test('hostssl / hostnossl by the connection encryption; local never matches', () => {
  const conf = 'local all all trust\nhostssl all all all scram-sha-256\nhostnossl all all all reject\n';
  assert.equal(decide(conf, { ssl: true }), 'scram-sha-256@2');
  assert.equal(decide(conf, { ssl: false }), 'reject@3');
  assert.equal(decide('local all all trust'), 'none');
});

test('refusals in PostgreSQL 15 wording', () => {
  const r = req({ address: '127.0.0.1', user: 'u', database: 'd' });
  assert.equal(hbaRefusal({ kind: 'no-match' }, r), 'no pg_hba.conf entry for host "127.0.0.1", user "u", database "d", no encryption');
  assert.equal(hbaRefusal({ kind: 'no-match' }, { ...r, ssl: true }), 'no pg_hba.conf entry for host "127.0.0.1", user "u", database "d", SSL encryption');
  const rule = parseHba('host all all all reject')[0]!;
  assert.equal(hbaRefusal({ kind: 'reject', rule }, r), 'pg_hba.conf rejects connection for host "127.0.0.1", user "u", database "d", no encryption');
  assert.equal(hbaRefusal({ kind: 'no-match' }, { ...r, address: '::ffff:10.0.0.1' }), 'no pg_hba.conf entry for host "10.0.0.1", user "u", database "d", no encryption');
});

test('configuration errors name the line (PostgreSQL wording where it has one)', () => {
  assert.deepEqual(configError('host all all all trust\n\nhost all all all foo\n'), { reason: 'invalid authentication method "foo"', line: 3 });
  assert.deepEqual(configError('hots all all all trust'), { reason: 'invalid connection type "hots"', line: 1 });
  assert.deepEqual(configError('host all'), { reason: 'end-of-line before role specification', line: 1 });
  assert.deepEqual(configError('host'), { reason: 'end-of-line before database specification', line: 1 });
  assert.deepEqual(configError('host all all'), { reason: 'end-of-line before IP address specification', line: 1 });
  assert.deepEqual(configError('host all all 1.2.3.4/32'), { reason: 'end-of-line before authentication method', line: 1 });
  assert.deepEqual(configError('host all all 1.2.3.4/33 trust'), { reason: 'invalid CIDR mask in address "1.2.3.4/33"', line: 1 });
  assert.deepEqual(configError('host all all 1.2.3.4 ffff:: trust'), { reason: 'IP address and mask do not match', line: 1 });
  assert.deepEqual(configError('host all all 1.2.3.4 trust'), { reason: 'invalid IP mask "trust"', line: 1 });
  assert.deepEqual(configError('host all all example.com/24 trust'), { reason: 'specifying both host name and CIDR mask is invalid: "example.com/24"', line: 1 });
  assert.match(configError('host all all example.com trust').reason, /host names are not supported/);
  assert.deepEqual(configError('host all all all ldap'), { reason: 'authentication method "ldap" is not supported by Quiver', line: 1 });
  assert.deepEqual(configError('host all all all md5 clientcert=verify-ca'), { reason: 'authentication option "clientcert" is not supported by Quiver', line: 1 });
  assert.deepEqual(configError('host all all all md5 junk'), { reason: 'authentication option not in name=value format: junk', line: 1 });
  assert.deepEqual(configError('host,hostssl all all all md5'), { reason: 'multiple values specified for connection type', line: 1 });
  assert.deepEqual(configError('host @dbs all all md5'), { reason: '@file inclusion in the database field is not supported', line: 1 });
  assert.deepEqual(configError('host "all all all md5'), { reason: 'unterminated quoted string', line: 1 });
});

test('describeHba: each line on its own, as pg_hba_file_rules shows it', () => {
  const rows = describeHba('# c\nlocal all all trust\nhost "all",app +team,bob 10.0.0.0/8 md5\nhost all all 2001:0db8::0 ffff:ffff:: reject\nhost all all all foo\nhostssl sameuser all samenet scram-sha-256\n');
  assert.deepEqual(rows.map((r) => [r.lineNumber, r.type, r.database, r.userName, r.address, r.netmask, r.authMethod, r.error]), [
    [2, 'local', ['all'], ['all'], null, null, 'trust', null],
    [3, 'host', ['all', 'app'], ['+team', 'bob'], '10.0.0.0', '255.0.0.0', 'md5', null],
    [4, 'host', ['all'], ['all'], '2001:db8::', 'ffff:ffff::', 'reject', null],
    [5, null, null, null, null, null, null, 'invalid authentication method "foo"'],
    [6, 'hostssl', ['sameuser'], ['all'], 'samenet', null, 'scram-sha-256', null],
  ]);
});
