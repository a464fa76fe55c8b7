// Kysely (PostgresDialect) + pgvector/kysely against Quiver: schema builder, introspection, CRUD, KNN, transactions.
'use strict';
const assert = require('node:assert/strict');
const { Pool } = require('pg');
const { Kysely, PostgresDialect, sql } = require('kysely');
const { l2Distance, cosineDistance, toSql } = require('pgvector/kysely');

async function main() {
  const db = new Kysely({ dialect: new PostgresDialect({ pool: new Pool({ max: 2 }) }) });
  await db.schema.dropTable('e2e_ky').ifExists().execute();
  await db.schema.createTable('e2e_ky')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('tag', 'text')
    .addColumn('embedding', sql`vector(3)`)
    .execute();
  await db.schema.createIndex('e2e_ky_tag_idx').on('e2e_ky').column('tag').execute();
  const tables = await db.introspection.getTables();
  const t = tables.find((x) => x.name === 'e2e_ky');
  assert.ok(t, 'getTables lists the table');
  assert.deepEqual(t.columns.map((c) => [c.name, c.dataType, c.isNullable, c.isAutoIncrementing, c.hasDefaultValue]), [
    ['id', 'int4', false, true, true], ['title', 'text', false, false, false], ['tag', 'text', true, false, false], ['embedding', 'vector', true, false, false],
  ]);
  assert.ok((await db.introspection.getSchemas()).some((s) => s.name === 'public'));
  const ins = await db.insertInto('e2e_ky').values([
    { title: 'alpha', tag: 'a', embedding: toSql([1, 0, 0]) },
    { title: 'beta', tag: 'b', embedding: toSql([0, 1, 0]) },
    { title: 'gamma', tag: 'a', embedding: toSql([0, 0, 1]) },
  ]).returning(['id']).execute();
  assert.deepEqual(ins.map((r) => r.id), [1, 2, 3]);
  const knn = await db.selectFrom('e2e_ky').select(['id', 'title']).where('tag', '=', 'a').orderBy(l2Distance('embedding', [1, 0.1, 0])).limit(2).execute();
  assert.deepEqual(knn.map((r) => r.title), ['alpha', 'gamma']);
  const cos = await db.selectFrom('e2e_ky').select(['title', cosineDistance('embedding', [1, 1, 0]).as('d')]).orderBy('d').limit(3).execute();
  assert.deepEqual(cos.map((r) => r.title), ['alpha', 'beta', 'gamma']);
  await db.updateTable('e2e_ky').set({ tag: 'c' }).where('id', '=', 2).execute();
  const del = await db.deleteFrom('e2e_ky').where('id', '=', 3).executeTakeFirst();
  assert.equal(del.numDeletedRows, 1n);
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('e2e_ky').values({ title: 'delta', tag: 'a', embedding: toSql([0.5, 0.5, 0]) }).execute();
    const n = await trx.selectFrom('e2e_ky').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    assert.equal(String(n.n), '3');
  });
  await assert.rejects(db.transaction().execute(async (trx) => {
    await trx.deleteFrom('e2e_ky').execute();
    throw new Error('abort');
  }), /abort/);
  assert.equal((await db.selectFrom('e2e_ky').select('id').execute()).length, 3);
  await assert.rejects(db.insertInto('e2e_ky').values({ title: 'bad', embedding: toSql([1, 2]) }).execute(), (e) => e.code === '22000');
  await db.schema.dropTable('e2e_ky').execute();
  await db.destroy();
}
main().then(() => console.log('ok'), (e) => { console.error(e); process.exit(1); });
