import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SqlError } from '../src/errors.js';
import { OID, sqlType } from '../src/types/types.js';
import { decodeParam, encodeValue } from '../src/wire/codecs.js';
import { BinaryReader, numericRecv, numericSend } from '../src/types/binary-format.js';
import { TYPED_VALUES } from './wire-fake-backend.js';

describe('wire codecs', () => {
  it('encodes every listed type in binary exactly as PostgreSQL 15 does', () => {
    for (const t of TYPED_VALUES) assert.equal(encodeValue(t.type, t.value, 1, {})!.toString('hex'), t.pgHex, t.text);
  });

  it('decodes what it encodes', () => {
    for (const t of TYPED_VALUES) {
      const back = decodeParam(t.type, Buffer.from(t.pgHex, 'hex'), 1, 0);
      assert.equal(encodeValue(t.type, back, 1, {})!.toString('hex'), t.pgHex, t.text);
    }
  });

  it('round-trips numeric text through the base-10000 format', () => {
    for (const s of ['1', '-1', '0.1', '9999', '10000.0000', '-123.4567891', '0.000000001', '100000000', '3.14159265358979323846264338327950288', '-0.5']) {
      assert.equal(numericRecv(new BinaryReader(numericSend(s))), s);
    }
  });

  it('encodes text format through the shared text output', () => {
    assert.equal(encodeValue(sqlType(OID.bool), false, 0, {})!.toString(), 'f');
    assert.equal(encodeValue(sqlType(OID._int4), [1, null, 3], 0, {})!.toString(), '{1,NULL,3}');
    assert.equal(encodeValue(sqlType(OID.text), null, 0, {}), null);
    assert.equal(decodeParam(sqlType(OID.int8), Buffer.from('42'), 0, 0), 42n);
  });

  it('rejects bad binary input with PostgreSQL errors', () => {
    const code = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        return (e as SqlError).code + ' ' + (e as SqlError).message;
      }
      return 'no error';
    };
    assert.equal(code(() => decodeParam(sqlType(OID.int4), Buffer.from([0, 0, 0, 1, 0]), 1, 2)), '22P03 incorrect binary data format in bind parameter 3');
    assert.equal(code(() => decodeParam(sqlType(OID.int8), Buffer.from([0, 1]), 1, 0)), '08P01 insufficient data left in message');
    // SQLSTATEs as pgvector 0.8.6's vector_recv gives them (checked with binary COPY on PostgreSQL 15)
    assert.equal(code(() => decodeParam(sqlType(OID.vector), Buffer.from('0001000100000000', 'hex'), 1, 0)), '22000 expected unused to be 0, not 1');
    assert.equal(code(() => decodeParam(sqlType(OID.vector), Buffer.concat([Buffer.from('3e810000', 'hex'), Buffer.alloc(4 * 16001)]), 1, 0)),
      '54000 vector cannot have more than 16000 dimensions');
    assert.equal(code(() => decodeParam(sqlType(OID.vector), Buffer.from('fffb0000', 'hex'), 1, 0)), '22000 vector must have at least 1 dimension');
    assert.equal(code(() => decodeParam(sqlType(OID.vector, 3), Buffer.from('0001000000000000', 'hex'), 1, 0)), '22000 expected 3 dimensions, not 1');
    assert.equal(code(() => decodeParam(sqlType(OID.vector), Buffer.from('000100007fc00000', 'hex'), 1, 0)), '22000 NaN not allowed in vector');
    assert.equal(code(() => decodeParam(sqlType(OID._int4), Buffer.from('000000010000000000000019000000010000000100000000', 'hex'), 1, 0)),
      '42804 binary data has array element type 25 (text) instead of expected 23 (integer)');
    assert.equal(code(() => decodeParam(sqlType(OID.record), Buffer.from([1]), 1, 0)), '42883 no binary input function available for type record');
  });
});
