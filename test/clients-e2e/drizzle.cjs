// drizzle-orm (node-postgres) against Quiver: CRUD with a vector column, l2Distance/cosineDistance, transactions;
// then drizzle-kit pull introspects the database into schema.ts.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { Pool } = require('pg');
const { drizzle } = require('drizzle-orm/node-postgres');
const { pgTable, serial, text, vector, integer, index } = require('drizzle-orm/pg-core');
const { cosineDistance, l2Distance, eq, sql, asc } = require('drizzle-orm');

const docs = pgTable('e2e_dz', {
  id: serial('id').primaryKey(),
  title: text('title').notNull(),
  tag: text('tag'),
  score: integer('score').default(0),
  embedding: vector('embedding', { dimensions: 3 }),
}, (t) => [index('e2e_dz_emb_idx').using('hnsw', t.embedding.op('vector_cosine_ops'))]);

async function main() {
  const pool = new Pool({ max: 2 });
  const db = drizzle(pool);
  await db.execute(sql`DROP TABLE IF EXISTS e2e_dz`);
  await db.execute(sql`CREATE TABLE e2e_dz (id serial PRIMARY KEY, title text NOT NULL, tag text, score integer DEFAULT 0, embedding vector(3))`);
  await db.execute(sql`CREATE INDEX e2e_dz_emb_idx ON e2e_dz USING hnsw (embedding vector_cosine_ops)`);
  const ins = await db.insert(docs).values([
    { title: 'alpha', tag: 'a', embedding: [1, 0, 0] }, { title: 'beta', tag: 'b', embedding: [0, 1, 0] }, { title: 'gamma', tag: 'a', embedding: [0, 0, 1] },
  ]).returning({ id: docs.id });
  assert.deepEqual(ins.map((r) => r.id), [1, 2, 3]);
  const all = await db.select().from(docs).orderBy(asc(docs.id));
  assert.deepEqual(all[0], { id: 1, title: 'alpha', tag: 'a', score: 0, embedding: [1, 0, 0] });
  const knn = await db.select({ title: docs.title }).from(docs).orderBy(l2Distance(docs.embedding, [1, 0.1, 0])).limit(2);
  assert.deepEqual(knn.map((r) => r.title), ['alpha', 'beta']);
  const cos = await db.select({ title: docs.title, d: cosineDistance(docs.embedding, [0, 0, 1]) }).from(docs).where(eq(docs.tag, 'a')).orderBy(cosineDistance(docs.embedding, [0, 0, 1])).limit(1);
  assert.equal(cos[0].title, 'gamma');
  assert.ok(Math.abs(Number(cos[0].d)) < 1e-9);
  await db.update(docs).set({ tag: 'c' }).where(eq(docs.id, 2));
  await db.delete(docs).where(eq(docs.id, 3));
  await db.transaction(async (tx) => { await tx.insert(docs).values({ title: 'delta', tag: 'a', embedding: [0.5, 0.5, 0] }); });
  await assert.rejects(db.transaction(async (tx) => { await tx.delete(docs); throw new Error('abort'); }), /abort/);
  assert.equal((await db.select().from(docs)).length, 3);

  // drizzle-kit pull: introspection must produce the table with its vector column and hnsw index
  const kit = process.env.E2E_DRIZZLE_KIT;
  if (kit) {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-kit-'));
    try {
      execFileSync(process.execPath, [kit, 'pull', '--dialect=postgresql', `--url=postgresql://${process.env.PGUSER}@${process.env.PGHOST}:${process.env.PGPORT}/${process.env.PGDATABASE}`, `--out=${out}`], { stdio: 'pipe' });
      const schema = fs.readFileSync(path.join(out, 'schema.ts'), 'utf8');
      const m = /export const \w+ = pgTable\("e2e_dz", \{([\s\S]*?)\n\]\);/.exec(schema);
      assert.ok(m, 'schema.ts has e2e_dz');
      assert.match(m[1], /id: serial\(\)\.primaryKey\(\)\.notNull\(\),/);
      assert.match(m[1], /score: integer\(\)\.default\(0\),/);
      assert.match(m[1], /embedding: vector\(\{ dimensions: 3 \}\),/);
      assert.match(m[1], /index\("e2e_dz_emb_idx"\)\.using\("hnsw", table\.embedding\.asc\(\)\.nullsLast\(\)\.op\("vector_cosine_ops"\)\)/);
      assert.doesNotMatch(schema, /pgSequence\("e2e_dz_id_seq"/, 'a serial column\'s sequence is not a standalone sequence');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }
  await db.execute(sql`DROP TABLE e2e_dz`);
  await pool.end();
}
main().then(() => console.log('ok'), (e) => { console.error(e); process.exit(1); });
