// Knex + pgvector/knex against Quiver: migrations (latest, currentVersion, rollback), hasTable/hasColumn, CRUD, KNN.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const knexLib = require('knex');
const pgvector = require('pgvector/knex');

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-knex-'));
  try {
    fs.writeFileSync(path.join(dir, '20240101000000_create_e2e_kx.js'), `
exports.up = async function (knex) {
  await knex.schema.enableExtension('vector');
  await knex.schema.createTable('e2e_kx', (t) => {
    t.increments('id');
    t.string('title').notNullable();
    t.string('tag').index();
    t.vector('embedding', { dimensions: 3 });
    t.timestamps(true, true);
  });
};
exports.down = async function (knex) { await knex.schema.dropTable('e2e_kx'); };
`);
    fs.writeFileSync(path.join(dir, '20240102000000_add_score.js'), `
exports.up = (knex) => knex.schema.alterTable('e2e_kx', (t) => { t.float('score').defaultTo(0); });
exports.down = (knex) => knex.schema.alterTable('e2e_kx', (t) => { t.dropColumn('score'); });
`);
    const knex = knexLib({ client: 'pg', connection: { host: process.env.PGHOST, port: Number(process.env.PGPORT), user: process.env.PGUSER, database: process.env.PGDATABASE }, pool: { min: 0, max: 2 } });
    await knex.raw('DROP TABLE IF EXISTS e2e_kx, knex_migrations, knex_migrations_lock');
    const [batch, done] = await knex.migrate.latest({ directory: dir, loadExtensions: ['.js'] });
    assert.equal(batch, 1);
    assert.equal(done.length, 2);
    assert.equal(await knex.schema.hasTable('e2e_kx'), true);
    assert.equal(await knex.schema.hasColumn('e2e_kx', 'embedding'), true);
    assert.equal(await knex.schema.hasColumn('e2e_kx', 'score'), true);
    const ids = await knex('e2e_kx').insert([
      { title: 'alpha', tag: 'a', embedding: pgvector.toSql([1, 0, 0]) },
      { title: 'beta', tag: 'b', embedding: pgvector.toSql([0, 1, 0]) },
      { title: 'gamma', tag: 'a', embedding: pgvector.toSql([0, 0, 1]) },
    ]).returning('id');
    assert.deepEqual(ids.map((r) => r.id), [1, 2, 3]);
    const knn = await knex('e2e_kx').select('id', 'title').where('tag', 'a').orderBy(knex.l2Distance('embedding', [1, 0.1, 0])).limit(2);
    assert.deepEqual(knn.map((r) => r.title), ['alpha', 'gamma']);
    const first = await knex('e2e_kx').select('title', 'embedding', 'created_at', 'score').orderBy(knex.cosineDistance('embedding', [0, 1, 0.1])).first();
    assert.equal(first.title, 'beta');
    assert.equal(first.embedding, '[0,1,0]');
    assert.ok(first.created_at instanceof Date);
    assert.equal(first.score, 0);
    await knex.transaction(async (trx) => {
      await trx('e2e_kx').where({ id: 2 }).update({ tag: 'c' });
      const [{ n }] = await trx('e2e_kx').count('* as n').where('tag', 'c');
      assert.equal(String(n), '1');
    });
    await assert.rejects(knex('e2e_kx').insert({ title: 'bad', embedding: '[1,2]' }), (e) => e.code === '22000');
    assert.equal(await knex.migrate.currentVersion({ directory: dir }), '20240102000000');
    await knex.migrate.rollback({ directory: dir, loadExtensions: ['.js'] }, true);
    assert.equal(await knex.schema.hasTable('e2e_kx'), false);
    assert.equal(await knex.migrate.currentVersion({ directory: dir }), 'none');
    await knex.raw('DROP TABLE IF EXISTS knex_migrations, knex_migrations_lock');
    await knex.destroy();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
main().then(() => console.log('ok'), (e) => { console.error(e); process.exit(1); });
