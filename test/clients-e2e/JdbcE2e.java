// pgjdbc against Quiver: PreparedStatement with PGobject(vector), a k-NN query run past
// prepareThreshold (server-prepared), a transaction, and DatabaseMetaData as DBeaver, DataGrip and
// Metabase call it. Every expected value is what this script gets from PostgreSQL 15 + pgvector
// (run it there with PGPORT=55432 and a database that has CREATE EXTENSION vector).
import java.sql.*;
import java.util.*;

public class JdbcE2e {
  static void check(boolean ok, String what) { if (!ok) throw new AssertionError(what); }

  static void expect(Object got, Object want, String what) {
    if (!Objects.equals(got, want)) throw new AssertionError(what + ": got " + got + ", want " + want);
  }

  /** the named columns of every row, joined with ':' */
  static List<String> rows(ResultSet rs, String... cols) throws SQLException {
    List<String> out = new ArrayList<>();
    try (rs) {
      while (rs.next()) {
        StringJoiner j = new StringJoiner(":");
        for (String c : cols) j.add(String.valueOf(rs.getString(c)));
        out.add(j.toString());
      }
    }
    return out;
  }

  static org.postgresql.util.PGobject vector(String text) throws SQLException {
    org.postgresql.util.PGobject v = new org.postgresql.util.PGobject();
    v.setType("vector");
    v.setValue(text);
    return v;
  }

  public static void main(String[] args) throws Exception {
    String url = "jdbc:postgresql://" + System.getenv("PGHOST") + ":" + System.getenv("PGPORT") + "/" + System.getenv("PGDATABASE") + "?sslmode=disable";
    try (Connection c = DriverManager.getConnection(url, System.getenv("PGUSER"), "")) {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE EXTENSION IF NOT EXISTS vector");
        s.execute("DROP VIEW IF EXISTS e2e_jd_view");
        s.execute("DROP TABLE IF EXISTS e2e_jd_child, e2e_jd");
        s.execute("DROP FUNCTION IF EXISTS e2e_jd_norm(vector)");
        s.execute("CREATE TABLE e2e_jd (id serial PRIMARY KEY, title text NOT NULL, tag text, embedding vector(3))");
        s.execute("CREATE TABLE e2e_jd_child (cid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, parent_id int REFERENCES e2e_jd (id) ON DELETE CASCADE, note varchar(20) DEFAULT 'x', score numeric(10,2))");
        s.execute("CREATE INDEX e2e_jd_tag_idx ON e2e_jd (tag)");
        s.execute("CREATE INDEX e2e_jd_emb_idx ON e2e_jd USING hnsw (embedding vector_l2_ops)");
        s.execute("CREATE UNIQUE INDEX e2e_jd_child_note ON e2e_jd_child (note, parent_id)");
        s.execute("CREATE VIEW e2e_jd_view AS SELECT id, title FROM e2e_jd");
        s.execute("CREATE FUNCTION e2e_jd_norm(v vector) RETURNS float8 LANGUAGE sql AS 'SELECT vector_norm(v)'");
        s.execute("COMMENT ON TABLE e2e_jd IS 'documents'");
        s.execute("COMMENT ON COLUMN e2e_jd.title IS 'the title'");
      }

      // ------------------------------------------------------------ PreparedStatement
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO e2e_jd (title, tag, embedding) VALUES (?, ?, ?)")) {
        String[][] rows = {{"alpha", "a", "[1,0,0]"}, {"beta", "b", "[0,1,0]"}, {"gamma", "a", "[0,0,1]"}, {"delta", "b", "[1,1,0]"}};
        for (String[] r : rows) {
          ps.setString(1, r[0]); ps.setString(2, r[1]); ps.setObject(3, vector(r[2]));
          ps.addBatch();
        }
        expect(ps.executeBatch().length, 4, "executeBatch");
      }
      // pgjdbc switches to a named server-side statement at the 5th execution (prepareThreshold)
      try (PreparedStatement ps = c.prepareStatement("SELECT id, title, embedding <-> ? AS d FROM e2e_jd WHERE tag = ? ORDER BY embedding <-> ? LIMIT ?")) {
        org.postgresql.PGStatement pgs = ps.unwrap(org.postgresql.PGStatement.class);
        for (int i = 0; i < 8; i++) {
          boolean even = i % 2 == 0;
          org.postgresql.util.PGobject q = vector(even ? "[1,0.1,0]" : "[0,0.1,1]");
          ps.setObject(1, q); ps.setString(2, "a"); ps.setObject(3, q); ps.setInt(4, 2);
          List<String> got = rows(ps.executeQuery(), "id", "title");
          expect(got, even ? List.of("1:alpha", "3:gamma") : List.of("3:gamma", "1:alpha"), "k-NN execution " + i);
        }
        check(pgs.isUseServerPrepare(), "the k-NN statement is server-prepared after 8 executions");
        ps.setObject(1, vector("[1,0,0]")); ps.setString(2, "b"); ps.setObject(3, vector("[1,0,0]")); ps.setInt(4, 1);
        try (ResultSet rs = ps.executeQuery()) {
          check(rs.next(), "k-NN row");
          expect(rs.getString("title"), "delta", "k-NN tag b");
          expect(rs.getDouble("d"), 1.0, "distance");
          ResultSetMetaData m = rs.getMetaData();
          expect(m.getColumnCount(), 3, "column count");
          expect(m.getColumnTypeName(3), "float8", "distance type");
          expect(m.getColumnTypeName(1), "serial", "id type (pgjdbc reads the nextval default)");
        }
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT embedding FROM e2e_jd WHERE id = ?")) {
        ps.setInt(1, 4);
        try (ResultSet rs = ps.executeQuery()) {
          check(rs.next(), "vector row");
          Object v = rs.getObject(1);
          check(v instanceof org.postgresql.util.PGobject, "vector comes back as PGobject: " + v.getClass());
          expect(((org.postgresql.util.PGobject) v).getType(), "vector", "PGobject type");
          expect(((org.postgresql.util.PGobject) v).getValue(), "[1,1,0]", "PGobject value");
        }
      }
      // a transaction: rolled back rows are gone, committed ones stay
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("INSERT INTO e2e_jd_child (parent_id, note, score) VALUES (1, 'kept', 1.25)");
        c.commit();
        s.execute("INSERT INTO e2e_jd_child (parent_id, note) VALUES (2, 'gone')");
        c.rollback();
      }
      c.setAutoCommit(true);
      try (Statement s = c.createStatement()) {
        expect(rows(s.executeQuery("SELECT cid, note, score FROM e2e_jd_child ORDER BY cid"), "cid", "note", "score"), List.of("1:kept:1.25"), "after commit and rollback");
      }
      // generated keys (pgjdbc appends RETURNING), a savepoint, and setFetchSize: a portal read 2 rows at a time
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO e2e_jd_child (parent_id, note) VALUES (?, ?)", new String[] {"cid"})) {
        ps.setInt(1, 3); ps.setString(2, "third");
        expect(ps.executeUpdate(), 1, "executeUpdate");
        expect(rows(ps.getGeneratedKeys(), "cid"), List.of("3"), "getGeneratedKeys (cid 2 went to the rolled-back insert)");
      }
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        Savepoint sp = c.setSavepoint("e2e_sp");
        s.execute("DELETE FROM e2e_jd_child");
        c.rollback(sp);
        s.setFetchSize(2);
        expect(rows(s.executeQuery("SELECT id FROM e2e_jd ORDER BY id"), "id"), List.of("1", "2", "3", "4"), "setFetchSize(2) reads every row");
        c.commit();
      }
      c.setAutoCommit(true);

      // an enum: written with setObject(…, Types.OTHER) (an untyped parameter), read back as its label, ordered by declaration
      try (Statement s = c.createStatement()) {
        s.execute("DROP TABLE IF EXISTS e2e_jd_moods");
        s.execute("DROP TYPE IF EXISTS e2e_jd_mood");
        s.execute("CREATE TYPE e2e_jd_mood AS ENUM ('sad', 'ok', 'happy')");
        s.execute("CREATE TABLE e2e_jd_moods (id int PRIMARY KEY, m e2e_jd_mood)");
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO e2e_jd_moods VALUES (?, ?)")) {
          for (String[] r : new String[][] {{"1", "happy"}, {"2", "sad"}, {"3", "ok"}}) {
            ps.setInt(1, Integer.parseInt(r[0])); ps.setObject(2, r[1], java.sql.Types.OTHER); ps.executeUpdate();
          }
        }
        expect(rows(s.executeQuery("SELECT id, m FROM e2e_jd_moods ORDER BY m"), "id", "m"), List.of("2:sad", "3:ok", "1:happy"), "enum order and labels");
        try (ResultSet rs = s.executeQuery("SELECT m FROM e2e_jd_moods WHERE id = 1")) {
          check(rs.next(), "enum row");
          expect(rs.getString(1), "happy", "getString of an enum");
          expect(rs.getMetaData().getColumnTypeName(1), "e2e_jd_mood", "getColumnTypeName of an enum");
        }
        s.execute("DROP TABLE e2e_jd_moods");
        s.execute("DROP TYPE e2e_jd_mood");
      }

      // ------------------------------------------------------------ DatabaseMetaData
      DatabaseMetaData md = c.getMetaData();
      expect(md.getDatabaseProductName(), "PostgreSQL", "getDatabaseProductName");
      expect(md.getDatabaseMajorVersion(), 15, "getDatabaseMajorVersion");
      expect(rows(md.getTables(null, "public", "e2e_jd%", new String[] {"TABLE", "VIEW", "MATERIALIZED VIEW", "FOREIGN TABLE", "PARTITIONED TABLE"}), "TABLE_NAME", "TABLE_TYPE", "REMARKS"),
          List.of("e2e_jd:TABLE:documents", "e2e_jd_child:TABLE:null", "e2e_jd_view:VIEW:null"), "getTables");
      expect(rows(md.getTables(null, "public", "e2e_jd%", null), "TABLE_NAME", "TABLE_TYPE"),
          List.of("e2e_jd_child_note:INDEX", "e2e_jd_child_pkey:INDEX", "e2e_jd_emb_idx:INDEX", "e2e_jd_pkey:INDEX", "e2e_jd_tag_idx:INDEX",
              "e2e_jd_child_cid_seq:SEQUENCE", "e2e_jd_id_seq:SEQUENCE", "e2e_jd:TABLE", "e2e_jd_child:TABLE", "e2e_jd_view:VIEW"), "getTables (all types)");
      expect(rows(md.getColumns(null, "public", "e2e_jd", "%"), "COLUMN_NAME", "DATA_TYPE", "TYPE_NAME", "NULLABLE", "REMARKS", "COLUMN_DEF", "ORDINAL_POSITION", "IS_AUTOINCREMENT"),
          List.of("id:4:serial:0:null:nextval('e2e_jd_id_seq'::regclass):1:YES", "title:12:text:0:the title:null:2:NO", "tag:12:text:1:null:null:3:NO",
              "embedding:1111:vector:1:null:null:4:NO"), "getColumns e2e_jd");
      expect(rows(md.getColumns(null, "public", "e2e_jd_child", "%"), "COLUMN_NAME", "DATA_TYPE", "TYPE_NAME", "COLUMN_SIZE", "DECIMAL_DIGITS", "COLUMN_DEF", "IS_AUTOINCREMENT"),
          List.of("cid:-5:int8:19:0:null:YES", "parent_id:4:int4:10:0:null:NO", "note:12:varchar:20:0:'x'::character varying:NO", "score:2:numeric:10:2:null:NO"), "getColumns e2e_jd_child");
      expect(rows(md.getColumns(null, "public", "e2e_jd_view", "%"), "COLUMN_NAME", "TYPE_NAME"), List.of("id:int4", "title:text"), "getColumns view");
      expect(rows(md.getPrimaryKeys(null, "public", "e2e_jd"), "COLUMN_NAME", "KEY_SEQ", "PK_NAME"), List.of("id:1:e2e_jd_pkey"), "getPrimaryKeys");
      List<String> fk = List.of("e2e_jd:id:e2e_jd_child:parent_id:1:3:0:e2e_jd_child_parent_id_fkey:e2e_jd_pkey:7");
      String[] fkCols = {"PKTABLE_NAME", "PKCOLUMN_NAME", "FKTABLE_NAME", "FKCOLUMN_NAME", "KEY_SEQ", "UPDATE_RULE", "DELETE_RULE", "FK_NAME", "PK_NAME", "DEFERRABILITY"};
      expect(rows(md.getImportedKeys(null, "public", "e2e_jd_child"), fkCols), fk, "getImportedKeys");
      expect(rows(md.getExportedKeys(null, "public", "e2e_jd"), fkCols), fk, "getExportedKeys");
      expect(rows(md.getCrossReference(null, "public", "e2e_jd", null, "public", "e2e_jd_child"), fkCols), fk, "getCrossReference");
      expect(rows(md.getImportedKeys(null, "public", "e2e_jd"), fkCols), List.of(), "getImportedKeys of the parent");
      expect(rows(md.getIndexInfo(null, "public", "e2e_jd", false, false), "NON_UNIQUE", "INDEX_NAME", "TYPE", "ORDINAL_POSITION", "COLUMN_NAME", "ASC_OR_DESC"),
          List.of("f:e2e_jd_pkey:3:1:id:A", "t:e2e_jd_emb_idx:3:1:embedding:null", "t:e2e_jd_tag_idx:3:1:tag:A"), "getIndexInfo");
      expect(rows(md.getIndexInfo(null, "public", "e2e_jd_child", true, true), "NON_UNIQUE", "INDEX_NAME", "ORDINAL_POSITION", "COLUMN_NAME"),
          List.of("f:e2e_jd_child_note:1:note", "f:e2e_jd_child_note:2:parent_id", "f:e2e_jd_child_pkey:1:cid"), "getIndexInfo unique");
      expect(rows(md.getBestRowIdentifier(null, "public", "e2e_jd", DatabaseMetaData.bestRowSession, true), "COLUMN_NAME", "TYPE_NAME"), List.of("id:int4"), "getBestRowIdentifier");

      // pgvector's functions (public, where CREATE EXTENSION put them) and a user SQL function
      for (String f : List.of("l2_distance", "cosine_distance", "l1_distance")) {
        expect(rows(md.getFunctions(null, "public", f), "FUNCTION_SCHEM", "FUNCTION_NAME", "FUNCTION_TYPE").size(), 3, "getFunctions " + f + " (vector, halfvec, sparsevec)");
      }
      expect(rows(md.getFunctionColumns(null, "public", "l2_distance", null), "COLUMN_NAME", "COLUMN_TYPE", "DATA_TYPE", "TYPE_NAME"),
          List.of("returnValue:4:8:float8", "$1:1:1111:vector", "$2:1:1111:vector", "returnValue:4:8:float8", "$1:1:1111:halfvec", "$2:1:1111:halfvec",
              "returnValue:4:8:float8", "$1:1:1111:sparsevec", "$2:1:1111:sparsevec"), "getFunctionColumns l2_distance");
      expect(rows(md.getFunctions(null, "public", "e2e_jd%"), "FUNCTION_NAME", "FUNCTION_TYPE"), List.of("e2e_jd_norm:1"), "getFunctions user function");
      expect(rows(md.getFunctionColumns(null, "public", "e2e_jd_norm", "%"), "COLUMN_NAME", "COLUMN_TYPE", "TYPE_NAME"),
          List.of("returnValue:4:float8", "v:1:vector"), "getFunctionColumns user function");
      // pgjdbc 42.5 lists only prokind = 'p' here: a function is not a procedure
      expect(rows(md.getProcedures(null, "public", "e2e_jd%"), "PROCEDURE_NAME"), List.of(), "getProcedures");

      Map<String, String> types = new HashMap<>();
      try (ResultSet rs = md.getTypeInfo()) { while (rs.next()) types.put(rs.getString("TYPE_NAME"), rs.getInt("DATA_TYPE") + ":" + rs.getShort("NULLABLE") + ":" + rs.getShort("SEARCHABLE")); }
      for (String[] t : new String[][] {{"vector", "1111"}, {"halfvec", "1111"}, {"sparsevec", "1111"}, {"int4", "4"}, {"int8", "-5"}, {"text", "12"},
          {"float8", "8"}, {"bool", "-7"}, {"numeric", "2"}, {"timestamptz", "93"}, {"_int4", "2003"}, {"jsonb", "1111"}, {"bytea", "-2"}}) {
        expect(types.get(t[0]), t[1] + ":1:3", "getTypeInfo " + t[0]);
      }
      List<String> schemas = rows(md.getSchemas(), "TABLE_SCHEM");
      check(schemas.containsAll(List.of("information_schema", "pg_catalog", "public")), "getSchemas " + schemas);
      expect(rows(md.getCatalogs(), "TABLE_CAT").contains(System.getenv("PGDATABASE")), true, "getCatalogs");
      List<String> tableTypes = rows(md.getTableTypes(), "TABLE_TYPE");
      check(tableTypes.containsAll(List.of("TABLE", "VIEW", "PARTITIONED TABLE", "MATERIALIZED VIEW")), "getTableTypes " + tableTypes);

      try (Statement s = c.createStatement()) {
        try { s.execute("INSERT INTO e2e_jd (title, embedding) VALUES ('bad', '[1,2]')"); check(false, "dimension mismatch accepted"); }
        catch (SQLException e) { expect(e.getSQLState(), "22000", "dimension mismatch SQLSTATE"); }
        try { s.execute("SELECT * FROM e2e_jd_missing"); check(false, "missing table accepted"); }
        catch (SQLException e) { expect(e.getSQLState(), "42P01", "missing table SQLSTATE"); }
        s.execute("DROP VIEW e2e_jd_view");
        s.execute("DROP TABLE e2e_jd_child, e2e_jd");
        s.execute("DROP FUNCTION e2e_jd_norm(vector)");
      }
    }
    System.out.println("ok");
  }
}
