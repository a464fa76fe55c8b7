// pgjdbc against Quiver: PreparedStatement with PGobject(vector), server-prepared re-use, DatabaseMetaData.
import java.sql.*;
import java.util.*;

public class JdbcE2e {
  static void check(boolean ok, String what) { if (!ok) throw new AssertionError(what); }

  public static void main(String[] args) throws Exception {
    String url = "jdbc:postgresql://" + System.getenv("PGHOST") + ":" + System.getenv("PGPORT") + "/" + System.getenv("PGDATABASE") + "?sslmode=disable";
    try (Connection c = DriverManager.getConnection(url, System.getenv("PGUSER"), "")) {
      try (Statement s = c.createStatement()) {
        s.execute("DROP TABLE IF EXISTS e2e_jd");
        s.execute("CREATE TABLE e2e_jd (id serial PRIMARY KEY, title text NOT NULL, tag text, embedding vector(3))");
        s.execute("CREATE INDEX e2e_jd_tag_idx ON e2e_jd (tag)");
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO e2e_jd (title, tag, embedding) VALUES (?, ?, ?)")) {
        String[][] rows = {{"alpha", "a", "[1,0,0]"}, {"beta", "b", "[0,1,0]"}, {"gamma", "a", "[0,0,1]"}};
        for (String[] r : rows) {
          org.postgresql.util.PGobject v = new org.postgresql.util.PGobject();
          v.setType("vector");
          v.setValue(r[2]);
          ps.setString(1, r[0]); ps.setString(2, r[1]); ps.setObject(3, v);
          ps.addBatch();
        }
        check(ps.executeBatch().length == 3, "batch");
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT title, embedding::text FROM e2e_jd ORDER BY embedding <-> ?::vector LIMIT 1")) {
        for (int i = 0; i < 6; i++) { // pgjdbc switches to a named server-side statement at the 5th execution
          ps.setString(1, i % 2 == 0 ? "[1,0.1,0]" : "[0,0.1,1]");
          try (ResultSet rs = ps.executeQuery()) {
            check(rs.next(), "knn row");
            check(rs.getString(1).equals(i % 2 == 0 ? "alpha" : "gamma"), "knn " + i + " " + rs.getString(1));
            check(rs.getMetaData().getColumnCount() == 2, "rsmd");
          }
        }
      }
      DatabaseMetaData md = c.getMetaData();
      List<String> tables = new ArrayList<>();
      try (ResultSet rs = md.getTables(null, "public", "e2e_%", new String[] {"TABLE"})) { while (rs.next()) tables.add(rs.getString("TABLE_NAME")); }
      check(tables.equals(List.of("e2e_jd")), "getTables " + tables);
      List<String> cols = new ArrayList<>();
      try (ResultSet rs = md.getColumns(null, "public", "e2e_jd", "%")) {
        while (rs.next()) cols.add(rs.getString("COLUMN_NAME") + ":" + rs.getString("TYPE_NAME") + ":" + rs.getInt("NULLABLE") + ":" + rs.getString("IS_AUTOINCREMENT"));
      }
      check(cols.equals(List.of("id:serial:0:YES", "title:text:0:NO", "tag:text:1:NO", "embedding:vector:1:NO")), "getColumns " + cols);
      try (ResultSet rs = md.getPrimaryKeys(null, "public", "e2e_jd")) {
        check(rs.next() && rs.getString("COLUMN_NAME").equals("id") && rs.getString("PK_NAME").equals("e2e_jd_pkey"), "getPrimaryKeys");
      }
      List<String> idx = new ArrayList<>();
      try (ResultSet rs = md.getIndexInfo(null, "public", "e2e_jd", false, false)) {
        while (rs.next()) idx.add(rs.getString("INDEX_NAME") + ":" + rs.getString("COLUMN_NAME") + ":" + rs.getBoolean("NON_UNIQUE"));
      }
      Collections.sort(idx);
      check(idx.equals(List.of("e2e_jd_pkey:id:false", "e2e_jd_tag_idx:tag:true")), "getIndexInfo " + idx);
      try (ResultSet rs = md.getSchemas()) { boolean pub = false; while (rs.next()) pub |= rs.getString(1).equals("public"); check(pub, "getSchemas"); }
      try (ResultSet rs = md.getTypeInfo()) { boolean vec = false; while (rs.next()) vec |= rs.getString("TYPE_NAME").equals("vector"); check(vec, "getTypeInfo has vector"); }
      try (Statement s = c.createStatement()) {
        try { s.execute("INSERT INTO e2e_jd (title, embedding) VALUES ('bad', '[1,2]')"); check(false, "dimension mismatch accepted"); }
        catch (SQLException e) { check("22000".equals(e.getSQLState()), "sqlstate " + e.getSQLState()); }
        s.execute("DROP TABLE e2e_jd");
      }
    }
    System.out.println("ok");
  }
}
