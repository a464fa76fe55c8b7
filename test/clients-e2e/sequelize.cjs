// Sequelize 6 + pgvector/sequelize against Quiver: sync force / plain / alter (incl. a new column), CRUD, KNN, transactions.
'use strict';
const assert = require('node:assert/strict');
const { Sequelize, DataTypes, Op } = require('sequelize');
const pgvector = require('pgvector/sequelize');

pgvector.registerTypes(Sequelize);

async function main() {
  const seq = new Sequelize(process.env.PGDATABASE, process.env.PGUSER, '', {
    host: process.env.PGHOST, port: Number(process.env.PGPORT), dialect: 'postgres', logging: false, pool: { max: 2 },
  });
  await seq.authenticate();
  const attrs = { title: { type: DataTypes.STRING, allowNull: false }, tag: DataTypes.STRING, embedding: DataTypes.VECTOR(3) };
  const Doc = seq.define('E2eSq', attrs, { tableName: 'e2e_sq', indexes: [{ fields: ['tag'] }] });
  await Doc.sync({ force: true });
  await Doc.sync();
  await Doc.sync({ alter: true });
  await Doc.bulkCreate([{ title: 'alpha', tag: 'a', embedding: [1, 0, 0] }, { title: 'beta', tag: 'b', embedding: [0, 1, 0] }]);
  await Doc.create({ title: 'gamma', tag: 'a', embedding: [0, 0, 1] });
  assert.deepEqual((await Doc.findAll({ where: { tag: 'a' }, order: [['id', 'ASC']] })).map((d) => d.title), ['alpha', 'gamma']);
  assert.equal((await Doc.findOne({ where: { title: { [Op.like]: 'al%' } } })).id, 1);
  assert.deepEqual((await Doc.findByPk(1)).embedding, [1, 0, 0]);
  const knn = await Doc.findAll({ order: pgvector.l2Distance('embedding', [1, 0.1, 0], seq), limit: 2 });
  assert.deepEqual(knn.map((d) => d.title), ['alpha', 'beta']);
  await Doc.update({ tag: 'c' }, { where: { id: 2 } });
  assert.equal(await Doc.destroy({ where: { id: 3 } }), 1);
  assert.equal(await Doc.count({ where: { tag: 'c' } }), 1);
  await seq.transaction(async (t) => { await Doc.create({ title: 'delta', tag: 'a', embedding: [0.5, 0.5, 0] }, { transaction: t }); });
  await assert.rejects(seq.transaction(async (t) => { await Doc.destroy({ where: {}, transaction: t }); throw new Error('abort'); }), /abort/);
  assert.equal(await Doc.count(), 3);
  const raw = await seq.query('SELECT title FROM e2e_sq WHERE tag = $1 ORDER BY embedding <-> $2 LIMIT 3', { bind: ['a', '[0.5,0.5,0]'], type: Sequelize.QueryTypes.SELECT });
  assert.deepEqual(raw.map((r) => r.title), ['delta', 'alpha']);
  await assert.rejects(Doc.create({ title: 'bad', embedding: [1, 2] }), (e) => e.parent && e.parent.code === '22000');
  const desc = await seq.getQueryInterface().describeTable('e2e_sq');
  assert.deepEqual(Object.keys(desc), ['id', 'title', 'tag', 'embedding', 'createdAt', 'updatedAt']);
  assert.equal(desc.id.primaryKey, true);
  assert.equal(desc.title.allowNull, false);
  assert.equal(desc.embedding.type, 'USER-DEFINED');
  assert.ok((await seq.getQueryInterface().showAllTables()).includes('e2e_sq'));
  // sync({alter}) with a new attribute adds the column, keeps the rows
  const Doc2 = seq.define('E2eSq2', { ...attrs, score: { type: DataTypes.FLOAT, defaultValue: 0 } }, { tableName: 'e2e_sq', indexes: [{ fields: ['tag'] }] });
  await Doc2.sync({ alter: true });
  assert.deepEqual((await Doc2.findAll({ order: [['id', 'ASC']] })).map((d) => [d.title, d.score]), [['alpha', 0], ['beta', 0], ['delta', 0]]);
  await Doc2.drop();
  await seq.close();
}
main().then(() => console.log('ok'), (e) => { console.error(e); process.exit(1); });
