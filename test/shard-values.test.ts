/**
 * The router's decoding of shards' text results: a reg* value naming an object only the
 * shards know (a domain, a user table) is passed on as the shard printed it; one the router
 * knows is read as its OID (sql-tests/domains.sql through a sharded cluster: `pg_typeof(p)`
 * of a domain column was 42704 `type "posint" does not exist`).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { shardValue } from '../src/cluster/router/shard-values.js';
import { formatText } from '../src/types/text-io.js';
import { sqlType } from '../src/types/types.js';

describe('shard router: values of shard results', () => {
  it('passes on reg* names it does not know, reads the ones it knows', () => {
    for (const [oid, text] of [[2206, 'posint'], [2206, 'posint[]'], [2205, 'my_table'], [4089, 'my_schema']] as [number, string][]) {
      const type = sqlType(oid);
      const v = shardValue(type, text, {});
      assert.equal(formatText(type, v, {}), text);
    }
    assert.equal(shardValue(sqlType(2206), 'integer', {}), 23);
    // other types still refuse bad text
    assert.throws(() => shardValue(sqlType(23), 'abc', {}), /invalid input syntax/);
  });
});
