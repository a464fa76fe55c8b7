"""psqlODBC (unixODBC + pyodbc), the driver BI tools use, in its three common modes: default,
UseServerSidePrepare=1 and UseDeclareFetch=1 with Fetch=100. Connection settings come from
PGHOST / PGPORT / PGUSER / PGDATABASE; prints ok."""
import os
import pyodbc

DRIVER = os.environ.get("ODBC_DRIVER", "/usr/lib/x86_64-linux-gnu/odbc/psqlodbcw.so")
MODES = {"default": "", "server-side prepare": "UseServerSidePrepare=1;", "declare/fetch": "UseDeclareFetch=1;Fetch=100;"}

for mode, extra in MODES.items():
    dsn = (f"DRIVER={DRIVER};SERVER={os.environ['PGHOST']};PORT={os.environ['PGPORT']};"
           f"DATABASE={os.environ['PGDATABASE']};UID={os.environ['PGUSER']};{extra}")
    cn = pyodbc.connect(dsn, autocommit=True)
    cur = cn.cursor()
    cur.execute("DROP TABLE IF EXISTS e2e_odbc")
    cur.execute("CREATE TABLE e2e_odbc (id int PRIMARY KEY, v vector(3), t text)")
    cur.execute("INSERT INTO e2e_odbc VALUES (1, '[1,2,3]', 'a'), (2, '[3,2,1]', 'b'), (3, '[0,0,1]', 'c')")
    # the same parameterized k-NN statement run repeatedly (psqlODBC re-prepares and DEALLOCATEs it)
    got = []
    for q in ["[1,2,3]", "[0,0,0]", "[3,3,3]", "[1,2,3]"]:
        cur.execute("SELECT id, t FROM e2e_odbc ORDER BY v <-> ?::vector LIMIT 2", q)
        got.append([tuple(r) for r in cur.fetchall()])
    assert got == [[(1, "a"), (2, "b")], [(3, "c"), (1, "a")], [(1, "a"), (2, "b")], [(1, "a"), (2, "b")]], (mode, got)
    assert [r.table_name for r in cur.tables(table="e2e_odbc")] == ["e2e_odbc"], mode
    assert [(r.column_name, r.type_name) for r in cur.columns(table="e2e_odbc")] == [("id", "int4"), ("v", "vector"), ("t", "text")], mode
    assert [r.column_name for r in cur.primaryKeys(table="e2e_odbc")] == ["id"], mode
    assert ("e2e_odbc_pkey", "id") in [(r.index_name, r.column_name) for r in cur.statistics(table="e2e_odbc")], mode
    # inserts in a transaction, then an error with its SQLSTATE
    cn.autocommit = False
    cur.execute("INSERT INTO e2e_odbc VALUES (?, ?, ?)", 4, "[1,1,1]", "d")
    cur.execute("INSERT INTO e2e_odbc VALUES (?, ?, ?)", 5, "[2,2,2]", "e")
    cn.commit()
    try:
        cur.execute("SELECT 1/0")
        raise AssertionError("no error")
    except pyodbc.Error as e:
        assert e.args[0] == "22012", (mode, e.args)
    cn.rollback()
    cur.execute("SELECT count(*) FROM e2e_odbc")
    assert cur.fetchone()[0] == 5, mode
    cn.close()
print("ok")
