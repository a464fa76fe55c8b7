/**
 * Settings in savepoints (src/engine/setting-nesting.ts through SessionSettings): the values
 * PostgreSQL 15 shows for the same statements (checked on the reference server), and the
 * ParameterStatus a restore sends for a reported setting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionSettings } from '../src/engine/session-settings.js';

function session(): SessionSettings {
  const s = new SessionSettings();
  s.startup({}, 'postgres');
  return s;
}

test('ROLLBACK TO undoes a savepoint\'s SET and SET LOCAL; RELEASE keeps them', () => {
  const s = session();
  s.beginTransaction();
  const a = s.beginSavepoint();
  s.set('lock_timeout', '1s', false);
  s.endSavepoints(a, false);
  assert.equal(s.get('lock_timeout'), '0');
  s.beginSavepoint();
  s.set('lock_timeout', '2s', true);
  const b = s.beginSavepoint();
  s.set('lock_timeout', '3s', false);
  s.endSavepoints(b, true);
  assert.equal(s.get('lock_timeout'), '3s');
  s.endTransaction(true);
  // the released savepoint's SET became the transaction's SET
  assert.equal(s.get('lock_timeout'), '3s');
});

test('a SET LOCAL released over the transaction\'s SET ends at COMMIT with the SET\'s value', () => {
  const s = session();
  s.beginTransaction();
  s.set('lock_timeout', '7s', false);
  const a = s.beginSavepoint();
  s.set('lock_timeout', '8s', true);
  s.endSavepoints(a, true);
  assert.equal(s.get('lock_timeout'), '8s');
  s.endTransaction(true);
  assert.equal(s.get('lock_timeout'), '7s');
});

test('ROLLBACK TO an outer savepoint ends the inner ones; ROLLBACK restores everything', () => {
  const s = session();
  s.beginTransaction();
  s.set('search_path', 'a', false);
  const x = s.beginSavepoint();
  s.set('search_path', 'b', false);
  s.beginSavepoint();
  s.set('search_path', 'c', false);
  s.beginSavepoint();
  s.set('search_path', 'd', true);
  s.endSavepoints(x, false);
  assert.equal(s.get('search_path'), 'a');
  s.endTransaction(false);
  assert.equal(s.get('search_path'), '"$user", public');
});

test('a statement outside a block: set_config(…, true) ends with it, a failure undoes its SET', () => {
  const s = session();
  s.beginTransaction();
  s.set('lock_timeout', '15s', true);
  assert.equal(s.get('lock_timeout'), '15s');
  s.endStatement(true, false);
  assert.equal(s.get('lock_timeout'), '0');
  s.beginTransaction();
  s.set('lock_timeout', '5s', false);
  s.endStatement(false, false);
  assert.equal(s.get('lock_timeout'), '0');
  // nothing open: nothing to end
  s.endStatement(true, false);
  assert.equal(s.get('lock_timeout'), '0');
});

test('a reported setting put back by ROLLBACK TO or the end of SET LOCAL goes out as ParameterStatus', () => {
  const s = session();
  s.beginTransaction();
  const a = s.beginSavepoint();
  s.set('DateStyle', 'SQL, DMY', false);
  assert.deepEqual(s.takeParameterChanges(), [['DateStyle', 'SQL, DMY']]);
  s.endSavepoints(a, false);
  assert.deepEqual(s.takeParameterChanges(), [['DateStyle', 'ISO, MDY']]);
  s.beginSavepoint();
  s.set('DateStyle', 'German', true);
  s.takeParameterChanges();
  s.endTransaction(true);
  assert.equal(s.get('datestyle'), 'ISO, MDY');
  assert.deepEqual(s.takeParameterChanges(), [['DateStyle', 'ISO, MDY']]);
});
