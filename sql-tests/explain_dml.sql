-- EXPLAIN of INSERT / UPDATE / DELETE as PostgreSQL 15 shows it: the ModifyTable's rows=0
-- width=0 without RETURNING (with it, its subplan's rows and width, and VERBOSE's Output
-- of the RETURNING list), an UPDATE's scan handing on the SET columns' new values in column
-- order and ctid (a DELETE's ctid alone) with their width and cost, a one-row VALUES
-- Result's Output, and an INSERT … SELECT of its own table reading it as uv_1
CREATE TABLE uv (a int, b int, c text);
EXPLAIN VERBOSE UPDATE uv SET b = 1 WHERE a = 2;
EXPLAIN VERBOSE DELETE FROM uv WHERE a = 2;
EXPLAIN VERBOSE UPDATE uv SET b = b + 1, c = c || 'x' WHERE a = 2 RETURNING a;
EXPLAIN VERBOSE UPDATE uv SET c = 'x', b = 1 WHERE a = 2;
EXPLAIN INSERT INTO uv VALUES (1, 2, 'x');
EXPLAIN VERBOSE INSERT INTO uv VALUES (1, 2, 'x') RETURNING b;
EXPLAIN UPDATE uv SET b = 1;
EXPLAIN VERBOSE DELETE FROM uv WHERE a = 1 RETURNING b, a + 1;
EXPLAIN VERBOSE INSERT INTO uv SELECT * FROM uv RETURNING a;
EXPLAIN VERBOSE UPDATE uv x SET b = x.a WHERE a = 2 RETURNING x.a;
EXPLAIN VERBOSE UPDATE uv SET b = a WHERE a = 2;
INSERT INTO uv SELECT g, g * 2, 'r' || g FROM generate_series(1, 20) g;
ANALYZE uv;
EXPLAIN VERBOSE UPDATE uv SET c = c WHERE a = 3;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) UPDATE uv SET b = 0 WHERE a = 3;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) DELETE FROM uv WHERE a = 4 RETURNING a;
SELECT a, b FROM uv WHERE a IN (3, 4) ORDER BY a;
DROP TABLE uv;
