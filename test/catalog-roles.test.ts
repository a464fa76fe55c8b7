/**
 * The roles catalog's rules in isolation (src/catalog/roles.ts, src/types/scram-secret.ts):
 * membership with and without INHERIT, aclitem text, GRANT / REVOKE / OWNER TO on an ACL,
 * grant options, and PostgreSQL's SCRAM secret format (RFC 7677's test vector).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OidAllocator } from '../src/catalog/catalog.js';
import {
  ALL_TABLE_PRIVILEGES, PUBLIC_ROLE, Roles, changeOwner, formatAcl, grantPrivileges, hasPrivilege, hasTablePrivilege, revokePrivileges, type Securable,
} from '../src/catalog/roles.js';
import { buildScramSecret, encryptPassword, parseScramSecret, passwordMatchesSecret } from '../src/types/scram-secret.js';

function setup() {
  const roles = new Roles(new OidAllocator());
  const owner = roles.create('owner', {}).oid;
  const group = roles.create('group', {}).oid;
  const member = roles.create('member', {}).oid;
  const noinh = roles.create('noinh', { inherit: false }).oid;
  const outsider = roles.create('odd name', {}).oid;
  roles.members.push({ role: group, member, grantor: 10, admin: false }, { role: group, member: noinh, grantor: 10, admin: true });
  return { roles, owner, group, member, noinh, outsider };
}

test('membership: SET ROLE follows every grant, privileges only through INHERIT roles; superusers are members of all', () => {
  const { roles, group, member, noinh, outsider } = setup();
  assert.equal(roles.isMemberOf(member, group), true);
  assert.equal(roles.hasPrivilegesOf(member, group), true);
  assert.equal(roles.isMemberOf(noinh, group), true);
  assert.equal(roles.hasPrivilegesOf(noinh, group), false);
  assert.equal(roles.isMemberOf(outsider, group), false);
  assert.equal(roles.isMemberOf(10, outsider), true);
  assert.equal(roles.isMemberIgnoringSuperuser(10, outsider), false);
  assert.equal(roles.hasAdminOption(noinh, group), true);
  assert.equal(roles.hasAdminOption(member, group), false);
  // pg_monitor's built-in memberships
  assert.equal(roles.hasPrivilegesOf(roles.require('pg_monitor').oid, roles.require('pg_read_all_stats').oid), true);
});

test('ACLs: default owner privileges, GRANT merges per grantor, REVOKE drops emptied items, aclitem text quotes names', () => {
  const { roles, owner, group, member, noinh, outsider } = setup();
  const t: Securable = { owner };
  assert.equal(formatAcl(t, roles), null);
  assert.equal(hasTablePrivilege(roles, owner, t, 'r'), true);
  assert.equal(hasTablePrivilege(roles, member, t, 'r'), false);
  grantPrivileges(t, ALL_TABLE_PRIVILEGES, group, owner, 'r', false);
  grantPrivileges(t, ALL_TABLE_PRIVILEGES, group, owner, 'a', true);
  grantPrivileges(t, ALL_TABLE_PRIVILEGES, outsider, owner, 'wr', false);
  grantPrivileges(t, ALL_TABLE_PRIVILEGES, PUBLIC_ROLE, owner, 'x', false);
  assert.deepEqual(formatAcl(t, roles), ['owner=arwdDxt/owner', 'group=a*r/owner', '"odd name"=rw/owner', '=x/owner']);
  assert.equal(hasTablePrivilege(roles, member, t, 'r'), true);
  assert.equal(hasTablePrivilege(roles, noinh, t, 'r'), false);
  assert.equal(hasTablePrivilege(roles, noinh, t, 'x'), true);
  assert.equal(hasPrivilege(roles, member, t, 'a', ALL_TABLE_PRIVILEGES, true), true);
  assert.equal(hasPrivilege(roles, member, t, 'r', ALL_TABLE_PRIVILEGES, true), false);
  revokePrivileges(t, ALL_TABLE_PRIVILEGES, outsider, owner, 'rw', false);
  revokePrivileges(t, ALL_TABLE_PRIVILEGES, group, owner, 'a', true);
  assert.deepEqual(formatAcl(t, roles), ['owner=arwdDxt/owner', 'group=ar/owner', '=x/owner']);
  // the owner's own items follow it to the new owner
  changeOwner(t, member);
  assert.deepEqual(formatAcl(t, roles), ['member=arwdDxt/member', 'group=ar/member', '=x/member']);
  assert.equal(hasTablePrivilege(roles, owner, t, 'r'), false);
});

test('SCRAM secrets: PostgreSQL\'s format, RFC 7677\'s vector, md5 and SCRAM secrets kept as given', () => {
  const secret = buildScramSecret('pencil', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), 4096);
  assert.equal(secret, 'SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=');
  const v = parseScramSecret(secret)!;
  assert.equal(v.iterations, 4096);
  assert.equal(passwordMatchesSecret('u', 'pencil', secret), true);
  assert.equal(passwordMatchesSecret('u', 'pen', secret), false);
  assert.equal(parseScramSecret('SCRAM-SHA-256$4096:abc$def'), undefined);
  const md5 = 'md5' + 'c0c8f5b8f43cc2a5e9c93ea5c4a72bd5';
  assert.equal(encryptPassword(md5), md5);
  assert.equal(encryptPassword(secret), secret);
  assert.match(encryptPassword('plain'), /^SCRAM-SHA-256\$4096:/);
  assert.notEqual(encryptPassword('plain'), encryptPassword('plain'));
});

test('role settings: a session gets the global, database, role and role-in-database rows in that order; they round-trip through toData', () => {
  const { roles, member, owner } = setup();
  roles.settings.push(
    { database: 'db1', role: member, config: ['lock_timeout=4s'] },
    { database: '', role: member, config: ['lock_timeout=3s', 'app.x=1'] },
    { database: 'db1', role: 0, config: ['lock_timeout=2s'] },
    { database: '', role: 0, config: ['lock_timeout=1s'] },
  );
  // later pairs win when applied in order
  assert.deepEqual(roles.sessionDefaults('db1', member), [['lock_timeout', '1s'], ['lock_timeout', '2s'], ['lock_timeout', '3s'], ['app.x', '1'], ['lock_timeout', '4s']]);
  assert.deepEqual(roles.sessionDefaults('db2', owner), [['lock_timeout', '1s']]);
  const copy = new Roles(new OidAllocator());
  copy.loadData(JSON.parse(JSON.stringify(roles.toData())));
  assert.deepEqual(copy.sessionDefaults('db1', member), roles.sessionDefaults('db1', member));
  // DROP ROLE takes the role's own rows
  roles.drop(member);
  assert.deepEqual(roles.sessionDefaults('db1', member), [['lock_timeout', '1s'], ['lock_timeout', '2s']]);
});

test('database and function ACLs start from acldefault with PUBLIC (TEMP + CONNECT, EXECUTE); REVOKE … CASCADE follows grant options', () => {
  const { roles, owner, member, outsider } = setup();
  const db: Securable = { owner };
  assert.equal(hasPrivilege(roles, outsider, db, 'c', 'CTc'), true);
  assert.equal(hasPrivilege(roles, outsider, db, 'C', 'CTc'), false);
  revokePrivileges(db, 'CTc', PUBLIC_ROLE, owner, 'c', false);
  assert.deepEqual(formatAcl(db, roles), ['=T/owner', 'owner=CTc/owner']);
  assert.equal(hasPrivilege(roles, outsider, db, 'c', 'CTc'), false);
  const fn: Securable = { owner };
  grantPrivileges(fn, 'X', member, owner, 'X', true);
  grantPrivileges(fn, 'X', outsider, member, 'X', false);
  assert.throws(() => revokePrivileges(fn, 'X', member, owner, 'X', true), /dependent privileges exist/);
  revokePrivileges(fn, 'X', member, owner, 'X', true, true);
  assert.deepEqual(formatAcl(fn, roles), ['=X/owner', 'owner=X/owner', 'member=X/owner']);
});
