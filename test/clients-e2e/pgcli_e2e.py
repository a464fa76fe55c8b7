"""pgcli 3.5 against Quiver, without its terminal: the metadata layer its completer and backslash
commands use (pgcli.pgexecute.PGExecute, pgspecial), then the completer itself filled by pgcli's
own refreshers and asked for completions. Every expected value is what this script gets from
PostgreSQL 15 + pgvector (run it there with PGPORT=55432 and a database that has
CREATE EXTENSION vector). Prints "ok" at the end."""
import os

from pgcli.completion_refresher import CompletionRefresher
from pgcli.pgcompleter import PGCompleter
from pgcli.pgexecute import PGExecute
from pgspecial.main import PGSpecial
from prompt_toolkit.document import Document


def expect(got, want, what):
    if got != want:
        raise AssertionError(f"{what}: got {got!r}, want {want!r}")


ex = PGExecute(database=os.environ.get("PGDATABASE", "postgres"), user=os.environ.get("PGUSER", "postgres"),
               host=os.environ.get("PGHOST", "127.0.0.1"), port=os.environ.get("PGPORT", "5432"))
for sql in [
    "CREATE EXTENSION IF NOT EXISTS vector",
    "DROP VIEW IF EXISTS e2e_pc_view",
    "DROP TABLE IF EXISTS e2e_pc_child, e2e_pc_docs",
    "DROP FUNCTION IF EXISTS e2e_pc_norm(vector, float8)",
    "CREATE TABLE e2e_pc_docs (id serial PRIMARY KEY, title text NOT NULL, embedding vector(3))",
    "CREATE TABLE e2e_pc_child (id int, doc_id int REFERENCES e2e_pc_docs (id))",
    "CREATE INDEX e2e_pc_docs_hnsw ON e2e_pc_docs USING hnsw (embedding vector_cosine_ops) WITH (m = 8)",
    "CREATE VIEW e2e_pc_view AS SELECT id, title FROM e2e_pc_docs WHERE id > 1",
    "CREATE FUNCTION e2e_pc_norm(v vector, scale float8 DEFAULT 1) RETURNS float8 LANGUAGE sql AS 'SELECT vector_norm(v) * scale'",
    "INSERT INTO e2e_pc_docs (title, embedding) VALUES ('alpha', '[1,0,0]'), ('beta', '[0,1,0]'), ('gamma', '[0.9,0.2,0]')",
]:
    ex.conn.execute(sql)

# ---------------------------------------------------------------- PGExecute, as the refreshers call it
expect(ex.search_path(), ["pg_catalog", "public"], "search_path")
schemata = ex.schemata()
expect([s for s in schemata if not s.startswith("pg_temp") and not s.startswith("pg_toast_temp")], ["information_schema", "pg_catalog", "pg_toast", "public"], "schemata")
expect([t for t in ex.tables() if t[1].startswith("e2e_pc")], [("public", "e2e_pc_child"), ("public", "e2e_pc_docs")], "tables")
expect([t for t in ex.views() if t[1].startswith("e2e_pc")], [("public", "e2e_pc_view")], "views")
expect([tuple(c) for c in ex.table_columns() if c[1].startswith("e2e_pc")], [
    ("public", "e2e_pc_child", "id", "integer", False, None),
    ("public", "e2e_pc_child", "doc_id", "integer", False, None),
    ("public", "e2e_pc_docs", "id", "integer", True, "nextval('e2e_pc_docs_id_seq'::regclass)"),
    ("public", "e2e_pc_docs", "title", "text", False, None),
    ("public", "e2e_pc_docs", "embedding", "vector", False, None),
], "table_columns")
expect([tuple(c) for c in ex.view_columns() if c[1].startswith("e2e_pc")],
       [("public", "e2e_pc_view", "id", "integer", False, None), ("public", "e2e_pc_view", "title", "text", False, None)], "view_columns")
expect([tuple(f) for f in ex.foreignkeys() if f.childtable.startswith("e2e_pc")], [("public", "e2e_pc_docs", "id", "public", "e2e_pc_child", "doc_id")], "foreignkeys")
expect([t for t in ex.datatypes() if t[0] == "public"], [("public", "halfvec"), ("public", "sparsevec"), ("public", "vector")], "datatypes")
check_dbs = ex.databases()
if os.environ.get("PGDATABASE", "postgres") not in check_dbs or "template1" not in check_dbs:
    raise AssertionError(f"databases: {check_dbs!r}")

# functions(): the built-ins and pgvector's (with CREATE EXTENSION vector), not only user functions
functions = list(ex.functions())


def signatures(schema, name):
    return sorted((f.arg_types, f.return_type, f.is_aggregate, f.is_window, f.is_set_returning, f.is_extension)
                  for f in functions if f.schema_name == schema and f.func_name == name)


expect(signatures("public", "l2_distance"), [(("halfvec", "halfvec"), "double precision", False, False, False, True),
                                             (("sparsevec", "sparsevec"), "double precision", False, False, False, True),
                                             (("vector", "vector"), "double precision", False, False, False, True)], "l2_distance")
expect(len(signatures("public", "cosine_distance")), 3, "cosine_distance overloads")
expect(len(signatures("public", "inner_product")), 3, "inner_product overloads")
expect(signatures("public", "vector_norm"), [(("vector",), "double precision", False, False, False, True)], "vector_norm")
expect(signatures("public", "avg"), [(("halfvec",), "halfvec", True, False, False, True), (("vector",), "vector", True, False, False, True)], "pgvector's avg aggregate")
expect(signatures("pg_catalog", "row_number"), [(None, "bigint", False, True, False, False)], "row_number is a window function")
expect((("integer", "integer"), "integer", False, False, True, False) in signatures("pg_catalog", "generate_series"), True, "generate_series returns a set")
expect(signatures("pg_catalog", "now"), [(None, "timestamp with time zone", False, False, False, False)], "now()")
[norm] = [f for f in functions if f.func_name == "e2e_pc_norm"]
expect((norm.arg_names, norm.arg_types, norm.arg_defaults, norm.return_type, norm.is_extension),
       (("v", "scale"), ("vector", "double precision"), ("1",), "double precision", False), "user function")

# (only the first line: PostgreSQL pretty-prints the view's query, Quiver keeps its text)
expect(ex.view_definition("e2e_pc_view").splitlines()[0], 'CREATE OR REPLACE VIEW "public.e2e_pc_view" AS ', "view_definition (\\ev)")
expect(ex.function_definition("e2e_pc_norm"), "CREATE OR REPLACE FUNCTION public.e2e_pc_norm(v vector, scale double precision DEFAULT 1)\n"
       " RETURNS double precision\n LANGUAGE sql\nAS $function$SELECT vector_norm(v) * scale$function$\n", "function_definition (\\ef)")

# ---------------------------------------------------------------- backslash commands through pgspecial
special = PGSpecial()


def run(command):
    [(title, rows, headers, status, sql, success, is_special)] = list(ex.run(command, pgspecial=special))
    expect(success, True, command)
    return headers, [tuple(r) for r in rows] if rows is not None else None, status


headers, rows, status = run(r"\d e2e_pc_docs")
expect(headers, ["Column", "Type", "Modifiers"], r"\d headers")
expect(rows, [("id", "integer", " not null default nextval('e2e_pc_docs_id_seq'::regclass)"), ("title", "text", " not null"), ("embedding", "vector(3)", "")], r"\d columns")
expect(status, 'Indexes:\n    "e2e_pc_docs_pkey" PRIMARY KEY, btree (id)\n    "e2e_pc_docs_hnsw" hnsw (embedding vector_cosine_ops) WITH (m=\'8\')\n'
       'Referenced by:\n    TABLE "e2e_pc_child" CONSTRAINT "e2e_pc_child_doc_id_fkey" FOREIGN KEY (doc_id) REFERENCES e2e_pc_docs(id)\n', r"\d footer")
expect(run(r"\dt e2e_pc*")[1], [("public", "e2e_pc_child", "table", "postgres"), ("public", "e2e_pc_docs", "table", "postgres")], r"\dt")
expect(run(r"\di e2e_pc*")[1], [("public", "e2e_pc_docs_hnsw", "index", "postgres"), ("public", "e2e_pc_docs_pkey", "index", "postgres")], r"\di")
expect(run(r"\dv e2e_pc*")[1], [("public", "e2e_pc_view", "view", "postgres")], r"\dv")
expect(run(r"\df e2e_pc*")[1], [("public", "e2e_pc_norm", "double precision", "v vector, scale double precision DEFAULT 1", "normal")], r"\df")
expect([(r[0], r[2], r[3]) for r in run(r"\dx vector")[1]], [("vector", "public", "vector data type and ivfflat and hnsw access methods")], r"\dx (name, schema, description)")
expect(run(r"\dn")[1], [("public", "pg_database_owner")], r"\dn")
expect(run("SELECT title FROM e2e_pc_docs ORDER BY embedding <=> '[1,0.1,0]' LIMIT 2")[1], [("alpha",), ("gamma",)], "k-NN through run()")

# ---------------------------------------------------------------- the completer, filled by pgcli's refreshers
completer = PGCompleter(smart_completion=True, pgspecial=special, settings={})
for refresh in CompletionRefresher.refreshers.values():
    refresh(completer, ex)


def complete(text, cursor=None):
    document = Document(text=text, cursor_position=len(text) if cursor is None else cursor)
    return {c.text for c in completer.get_completions(document, None)}


# pgvector's functions reach the completer's metadata; like PostgreSQL's other extension
# functions, pgcli 3.5 offers them only once typed in full (its filter skips is_extension)
expect({"l2_distance", "cosine_distance", "inner_product", "vector_norm"} <= set(completer.dbmetadata["functions"]["public"]), True, "pgvector functions in the completer's metadata")
expect(complete("SELECT * FROM e2e_pc"), {"e2e_pc_child", "e2e_pc_docs", "e2e_pc_view", "e2e_pc_norm(v := , scale := 1)"}, "relations and the user function (with its DEFAULT)")
expect({"embedding", "title", "id"} <= complete("SELECT  FROM e2e_pc_docs", cursor=7), True, "columns of the table in FROM")
expect("e2e_pc_docs ON e2e_pc_docs.id = c.doc_id" in complete("SELECT * FROM e2e_pc_child c JOIN "), True, "the foreign key's join condition")
expect(complete("CREATE TABLE t (v vec"), {"halfvec", "sparsevec", "vector"}, "pgvector's types")

ex.conn.execute("DROP VIEW e2e_pc_view")
ex.conn.execute("DROP TABLE e2e_pc_child, e2e_pc_docs")
ex.conn.execute("DROP FUNCTION e2e_pc_norm(vector, float8)")
print("ok")
