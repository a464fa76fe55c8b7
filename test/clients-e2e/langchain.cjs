// LangChain PGVectorStore (@langchain/community) against Quiver: initialize (plain and collection tables),
// addDocuments, similaritySearch with metadata and operator filters, scores, createHnswIndex, delete by ids / filter.
'use strict';
const assert = require('node:assert/strict');
const { Embeddings } = require('@langchain/core/embeddings');
const { Document } = require('@langchain/core/documents');
const { PGVectorStore } = require('@langchain/community/vectorstores/pgvector');
const { Client } = require('pg');

class LocalEmbeddings extends Embeddings {
  constructor() { super({}); }
  vec(text) {
    const v = [0, 0, 0, 0];
    for (const ch of text.toLowerCase()) {
      if ('aeiou'.includes(ch)) v[0] += 1; else if (ch >= 'a' && ch <= 'm') v[1] += 1; else if (ch >= 'n' && ch <= 'z') v[2] += 1; else v[3] += 1;
    }
    const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
    return v.map((x) => x / n);
  }
  async embedDocuments(texts) { return texts.map((t) => this.vec(t)); }
  async embedQuery(text) { return this.vec(text); }
}

async function main() {
  const c = new Client();
  await c.connect();
  await c.query('DROP TABLE IF EXISTS e2e_lc_docs, e2e_lc_collections, e2e_lc_plain CASCADE');
  // createHnswIndex names the index after the column only (CREATE INDEX IF NOT EXISTS embedding_embedding_hnsw_idx)
  await c.query('DROP INDEX IF EXISTS embedding_embedding_hnsw_idx');
  const conn = { host: process.env.PGHOST, port: Number(process.env.PGPORT), user: process.env.PGUSER, database: process.env.PGDATABASE };

  const plain = await PGVectorStore.initialize(new LocalEmbeddings(), { postgresConnectionOptions: conn, tableName: 'e2e_lc_plain', dimensions: 4, distanceStrategy: 'cosine' });
  await plain.addDocuments([
    new Document({ pageContent: 'apple pie', metadata: { kind: 'food', n: 1 } }),
    new Document({ pageContent: 'zzz sleep', metadata: { kind: 'rest', n: 2 } }),
  ]);
  const f = await plain.similaritySearch('apple', 1, { kind: 'food' });
  assert.deepEqual(f.map((d) => [d.pageContent, d.metadata]), [['apple pie', { kind: 'food', n: 1 }]]);
  await plain.createHnswIndex({ dimensions: 4 });
  const idx = await c.query("SELECT indexdef FROM pg_indexes WHERE tablename = 'e2e_lc_plain' AND indexdef LIKE '%hnsw%'");
  assert.deepEqual(idx.rows.map((r) => r.indexdef), ["CREATE INDEX embedding_embedding_hnsw_idx ON public.e2e_lc_plain USING hnsw (embedding vector_cosine_ops) WITH (m='16', ef_construction='64')"]);
  await plain.end();

  const store = await PGVectorStore.initialize(new LocalEmbeddings(), {
    postgresConnectionOptions: conn, tableName: 'e2e_lc_docs', collectionTableName: 'e2e_lc_collections', collectionName: 'corpus',
    columns: { idColumnName: 'id', vectorColumnName: 'embedding', contentColumnName: 'content', metadataColumnName: 'metadata' },
    distanceStrategy: 'euclidean', dimensions: 4,
  });
  const ids = ['11111111-1111-1111-1111-111111111111', '22222222-2222-2222-2222-222222222222', '33333333-3333-3333-3333-333333333333'];
  await store.addDocuments([
    new Document({ pageContent: 'apple banana', metadata: { topic: 'fruit', year: 2020 } }),
    new Document({ pageContent: 'xyz tv show', metadata: { topic: 'media', year: 2021 } }),
    new Document({ pageContent: 'kiwi mango', metadata: { topic: 'fruit', year: 2022 } }),
  ], { ids });
  assert.deepEqual((await store.similaritySearch('apple', 2)).map((d) => d.pageContent), ['apple banana', 'kiwi mango']);
  assert.deepEqual((await store.similaritySearch('tv', 3, { topic: 'fruit' })).map((d) => d.pageContent).sort(), ['apple banana', 'kiwi mango']);
  assert.deepEqual((await store.similaritySearch('apple', 3, { year: { gte: 2021 } })).map((d) => d.metadata.year).sort(), [2021, 2022]);
  assert.deepEqual((await store.similaritySearch('apple', 3, { year: { in: [2020, 2022] } })).map((d) => d.metadata.year).sort(), [2020, 2022]);
  const [[doc, score]] = await store.similaritySearchWithScore('kiwi mango', 1);
  assert.equal(doc.pageContent, 'kiwi mango');
  assert.ok(Math.abs(score) < 1e-6);
  await store.delete({ ids: [ids[1]] });
  await store.delete({ filter: { topic: 'fruit', year: 2020 } });
  assert.deepEqual((await store.similaritySearch('apple', 5)).map((d) => d.pageContent), ['kiwi mango']);
  await store.end();
  await c.query('DROP TABLE IF EXISTS e2e_lc_docs, e2e_lc_collections, e2e_lc_plain CASCADE');
  await c.end();
}
main().then(() => console.log('ok'), (e) => { console.error(e); process.exit(1); });
