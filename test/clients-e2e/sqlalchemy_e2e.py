"""SQLAlchemy 1.4 (psycopg2) against Quiver: inspector (columns, keys, FKs, indexes, comments), MetaData.reflect, Core, KNN."""
import sqlalchemy as sa

eng = sa.create_engine("postgresql+psycopg2://", future=True)
with eng.begin() as conn:
    conn.execute(sa.text("DROP TABLE IF EXISTS e2e_sa_chunks, e2e_sa_docs"))
    conn.execute(sa.text("CREATE TABLE e2e_sa_docs (id serial PRIMARY KEY, title text NOT NULL UNIQUE, created_at timestamptz DEFAULT now())"))
    conn.execute(sa.text("CREATE TABLE e2e_sa_chunks (id bigserial PRIMARY KEY, doc_id int NOT NULL REFERENCES e2e_sa_docs(id) ON DELETE CASCADE, body text, embedding vector(3))"))
    conn.execute(sa.text("CREATE INDEX e2e_sa_chunks_doc_idx ON e2e_sa_chunks (doc_id)"))
    conn.execute(sa.text("COMMENT ON TABLE e2e_sa_docs IS 'documents'"))
insp = sa.inspect(eng)
assert "public" in insp.get_schema_names()
assert {"e2e_sa_docs", "e2e_sa_chunks"} <= set(insp.get_table_names())
assert insp.has_table("e2e_sa_docs") and not insp.has_table("e2e_sa_nope")
cols = insp.get_columns("e2e_sa_chunks")
assert [(c["name"], str(c["type"]), c["nullable"]) for c in cols][:3] == [("id", "BIGINT", False), ("doc_id", "INTEGER", False), ("body", "TEXT", True)], cols
assert cols[0]["autoincrement"] is True
assert insp.get_pk_constraint("e2e_sa_chunks") == {"constrained_columns": ["id"], "name": "e2e_sa_chunks_pkey", "comment": None} or insp.get_pk_constraint("e2e_sa_chunks")["constrained_columns"] == ["id"]
fks = insp.get_foreign_keys("e2e_sa_chunks")
assert len(fks) == 1 and fks[0]["referred_table"] == "e2e_sa_docs" and fks[0]["referred_columns"] == ["id"] and fks[0]["constrained_columns"] == ["doc_id"], fks
assert fks[0]["options"].get("ondelete") == "CASCADE", fks
idx = insp.get_indexes("e2e_sa_chunks")
assert [(i["name"], i["column_names"], i["unique"]) for i in idx] == [("e2e_sa_chunks_doc_idx", ["doc_id"], False)], idx
assert [u["column_names"] for u in insp.get_unique_constraints("e2e_sa_docs")] == [["title"]]
assert insp.get_table_comment("e2e_sa_docs")["text"] == "documents"
md = sa.MetaData()
md.reflect(bind=eng, only=["e2e_sa_docs", "e2e_sa_chunks"])
chunks = md.tables["e2e_sa_chunks"]
assert [fk.target_fullname for fk in chunks.foreign_keys] == ["e2e_sa_docs.id"]
docs = md.tables["e2e_sa_docs"]
with eng.begin() as conn:
    doc_id = conn.execute(docs.insert().values(title="alpha").returning(docs.c.id)).scalar_one()
    conn.execute(sa.text("INSERT INTO e2e_sa_chunks (doc_id, body, embedding) VALUES (:d, 'x', '[1,0,0]'), (:d, 'y', '[0,1,0]')"), {"d": doc_id})
    rows = conn.execute(sa.select(chunks.c.body).where(chunks.c.doc_id == doc_id).order_by(chunks.c.id)).scalars().all()
    assert rows == ["x", "y"], rows
    knn = conn.execute(sa.text("SELECT body FROM e2e_sa_chunks ORDER BY embedding <-> CAST(:q AS vector) LIMIT 1"), {"q": "[0,0.9,0]"}).scalar_one()
    assert knn == "y"
    conn.execute(sa.text("DROP TABLE e2e_sa_chunks, e2e_sa_docs"))
print("ok")
