"""psycopg 3 and psycopg2 against Quiver: params, executemany, prepare, COPY in/out, binary and server-side cursors."""
import io
import psycopg
import psycopg2
import psycopg2.extras
from psycopg.types import TypeInfo

with psycopg.connect("") as conn:
    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS e2e_pp3")
    cur.execute("CREATE TABLE e2e_pp3 (id serial PRIMARY KEY, title text NOT NULL, tag text, embedding vector(3))")
    conn.commit()
    info = TypeInfo.fetch(conn, "vector")
    assert info is not None and info.name == "vector" and info.array_oid > 0, info
    cur.execute("INSERT INTO e2e_pp3 (title, tag, embedding) VALUES (%s, %s, %s::vector)", ("alpha", "a", "[1,0,0]"))
    cur.executemany("INSERT INTO e2e_pp3 (title, tag, embedding) VALUES (%s, %s, %s::vector)", [("beta", "b", "[0,1,0]"), ("gamma", "a", "[0,0,1]")])
    conn.commit()
    cur.execute("SELECT title, embedding::text FROM e2e_pp3 ORDER BY embedding <-> %(q)s::vector LIMIT %(k)s", {"q": "[1,0.1,0]", "k": 2})
    assert cur.fetchall() == [("alpha", "[1,0,0]"), ("beta", "[0,1,0]")]
    for i in range(1, 4):
        cur.execute("SELECT title FROM e2e_pp3 WHERE id = %s", (i,), prepare=True)
        assert cur.fetchone()[0] == ["alpha", "beta", "gamma"][i - 1]
    with cur.copy("COPY e2e_pp3 (title, tag, embedding) FROM STDIN") as cp:
        cp.write_row(("delta", "b", "[1,1,0]"))
        cp.write_row(("eps", None, "[0.5,0.5,0]"))
    conn.commit()
    with cur.copy("COPY (SELECT id, title, tag, embedding FROM e2e_pp3 ORDER BY id) TO STDOUT") as cp:
        rows = list(cp.rows())
    assert rows[-2:] == [("4", "delta", "b", "[1,1,0]"), ("5", "eps", None, "[0.5,0.5,0]")], rows
    with cur.copy("COPY (SELECT id, title FROM e2e_pp3 WHERE id <= 2 ORDER BY id) TO STDOUT (FORMAT BINARY)") as cp:
        cp.set_types(["int4", "text"])
        assert list(cp.rows()) == [(1, "alpha"), (2, "beta")]
    with conn.transaction():
        cur.execute("UPDATE e2e_pp3 SET tag = %s WHERE id = %s", ("c", 2))
    try:
        cur.execute("INSERT INTO e2e_pp3 (title, embedding) VALUES (%s, %s::vector)", ("bad", "[1,2]"))
        raise AssertionError("dimension mismatch accepted")
    except psycopg.errors.DataException as e:
        assert e.sqlstate == "22000", e.sqlstate
        conn.rollback()
    conn.autocommit = True
    bcur = conn.cursor(binary=True)
    bcur.execute("SELECT id, title, 1.5::float8, true, 10000000000::int8, 'x'::bytea FROM e2e_pp3 WHERE tag = %s ORDER BY id", ("a",))
    assert bcur.fetchall() == [(1, "alpha", 1.5, True, 10000000000, b"x"), (3, "gamma", 1.5, True, 10000000000, b"x")]
    conn.autocommit = False
    with conn.cursor(name="e2e_ssc") as sc:
        sc.execute("SELECT id, title FROM e2e_pp3 ORDER BY id")
        assert sc.fetchmany(2) == [(1, "alpha"), (2, "beta")]
        assert sc.fetchone() == (3, "gamma")
        assert [d.name for d in sc.description] == ["id", "title"]
        cur.execute("SELECT name FROM pg_cursors")
        assert cur.fetchall() == [("e2e_ssc",)]
    cur.execute("SELECT count(*) FROM pg_cursors")
    assert cur.fetchone()[0] == 0
    conn.commit()
    cur.execute("DROP TABLE e2e_pp3")
    conn.commit()

conn = psycopg2.connect("")
cur = conn.cursor()
cur.execute("DROP TABLE IF EXISTS e2e_pp2")
cur.execute("CREATE TABLE e2e_pp2 (id serial PRIMARY KEY, title text NOT NULL, tag text, embedding vector(3))")
psycopg2.extras.execute_values(cur, "INSERT INTO e2e_pp2 (title, tag, embedding) VALUES %s", [("a1", "a", "[1,0,0]"), ("b1", "b", "[0,1,0]")])
cur.copy_expert("COPY e2e_pp2 (title, tag, embedding) FROM STDIN", io.StringIO("c1\tc\t[0,0,1]\n"))
buf = io.StringIO()
cur.copy_to(buf, "e2e_pp2", columns=("title", "embedding"))
assert buf.getvalue() == "a1\t[1,0,0]\nb1\t[0,1,0]\nc1\t[0,0,1]\n", buf.getvalue()
conn.commit()
named = conn.cursor("e2e_named")
named.itersize = 1
named.execute("SELECT title FROM e2e_pp2 ORDER BY embedding <-> %s::vector", ("[0,0.9,0.1]",))
assert [r[0] for r in named] == ["b1", "c1", "a1"]
named.close()
conn.commit()
cur.execute("DROP TABLE e2e_pp2")
conn.commit()
conn.close()
print("ok")
