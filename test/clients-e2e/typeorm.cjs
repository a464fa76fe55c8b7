// TypeORM against Quiver: synchronize (create, no-op on an unchanged table, add a column), repository CRUD, KNN.
'use strict';
const assert = require('node:assert/strict');
require('reflect-metadata');
const { DataSource, EntitySchema } = require('typeorm');

const columns = {
  id: { type: 'int', primary: true, generated: 'increment' },
  title: { type: 'varchar', length: 200 },
  tag: { type: 'varchar', nullable: true },
  embedding: { type: 'vector', length: 3, nullable: true },
  createdAt: { type: 'timestamptz', createDate: true },
};
const entity = (extra) => new EntitySchema({ name: 'E2eTy', tableName: 'e2e_ty', columns: { ...columns, ...extra }, indices: [{ name: 'e2e_ty_tag_idx', columns: ['tag'] }] });
const source = (e) => new DataSource({
  type: 'postgres', host: process.env.PGHOST, port: Number(process.env.PGPORT), username: process.env.PGUSER,
  database: process.env.PGDATABASE, entities: [e], synchronize: true, logging: false,
});

async function main() {
  const ds = source(entity({}));
  await ds.initialize();
  await ds.query('DROP TABLE IF EXISTS e2e_ty');
  await ds.synchronize();
  const repo = ds.getRepository('E2eTy');
  const saved = await repo.save([{ title: 'alpha', tag: 'a', embedding: '[1,0,0]' }, { title: 'beta', tag: 'b', embedding: '[0,1,0]' }, { title: 'gamma', tag: 'a', embedding: '[0,0,1]' }]);
  assert.deepEqual(saved.map((d) => d.id), [1, 2, 3]);
  assert.ok(saved[0].createdAt instanceof Date);
  assert.deepEqual((await repo.find({ where: { tag: 'a' }, order: { id: 'ASC' } })).map((d) => d.title), ['alpha', 'gamma']);
  assert.deepEqual((await repo.findOneBy({ id: 1 })).embedding, [1, 0, 0]);
  const knn = await repo.createQueryBuilder('d').select(['d.id', 'd.title']).where('d.tag = :tag', { tag: 'a' })
    .orderBy('d.embedding <-> :q').setParameters({ q: '[1,0.1,0]' }).limit(2).getMany();
  assert.deepEqual(knn.map((d) => d.title), ['alpha', 'gamma']);
  assert.deepEqual((await ds.query('SELECT title FROM e2e_ty ORDER BY embedding <=> $1 LIMIT $2', ['[0,1,0.1]', 1])).map((r) => r.title), ['beta']);
  await repo.update({ id: 2 }, { tag: 'c' });
  await repo.delete({ id: 3 });
  await ds.transaction(async (m) => { await m.getRepository('E2eTy').save({ title: 'delta', tag: 'a', embedding: '[0.5,0.5,0]' }); });
  assert.equal(await repo.count(), 3);
  await assert.rejects(repo.save({ title: 'bad', embedding: '[1,2]' }), (e) => e.code === '22000');
  await ds.destroy();

  // synchronize again with the same entity: the schema diff must be empty
  const ds2 = source(entity({}));
  await ds2.initialize();
  const pending = await ds2.driver.createSchemaBuilder().log();
  assert.deepEqual(pending.upQueries.map((q) => q.query), [], 'no DDL for an unchanged table');
  await ds2.destroy();

  // a new nullable column is added by synchronize, data kept
  const ds3 = source(entity({ score: { type: 'float', nullable: true } }));
  await ds3.initialize();
  assert.equal(await ds3.getRepository('E2eTy').count(), 3);
  const cols = await ds3.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'e2e_ty' ORDER BY ordinal_position");
  assert.deepEqual(cols.map((c) => c.column_name), ['id', 'title', 'tag', 'embedding', 'createdAt', 'score']);
  assert.deepEqual((await ds3.driver.createSchemaBuilder().log()).upQueries.map((q) => q.query), []);
  await ds3.query('DROP TABLE e2e_ty');
  await ds3.destroy();
}
main().then(() => console.log('ok'), (e) => { console.error(e); process.exit(1); });
