-- A set operation that coerces an operand's column to the result's type (int to a UNION's
-- bigint, varchar to text) reads that operand through PostgreSQL's Subquery Scan on
-- "*SELECT* n" (generate_setop_tlist; setrefs.c keeps it), UNIONs of a kind are one Append,
-- and a condition on a coerced column stays on the Subquery Scan above the set operation
CREATE TABLE soc_a (a int, b text);
CREATE TABLE soc_b (a bigint, b varchar);
INSERT INTO soc_a SELECT g, 'x' || g FROM generate_series(1, 1270) g;
INSERT INTO soc_b SELECT g, 'y' || g FROM generate_series(1, 1200) g;
ANALYZE soc_a;
ANALYZE soc_b;
EXPLAIN SELECT a FROM soc_a UNION SELECT a FROM soc_b;
EXPLAIN SELECT a, b FROM soc_a UNION ALL SELECT a, b FROM soc_b;
EXPLAIN SELECT a::numeric FROM soc_a UNION ALL SELECT 1.5;
EXPLAIN SELECT a FROM soc_a UNION ALL SELECT a FROM soc_a;
EXPLAIN (COSTS OFF) SELECT a FROM soc_a UNION ALL SELECT a FROM soc_b UNION ALL SELECT a FROM soc_a;
EXPLAIN (COSTS OFF) SELECT a FROM soc_b UNION ALL SELECT a FROM soc_a UNION SELECT a FROM soc_b;
EXPLAIN VERBOSE SELECT a FROM soc_a UNION SELECT a FROM soc_b;
EXPLAIN VERBOSE SELECT a, b FROM soc_a UNION ALL SELECT a, b FROM soc_b UNION ALL SELECT 1, 'x';
EXPLAIN (COSTS OFF) SELECT a FROM soc_a UNION ALL (SELECT a FROM soc_b UNION SELECT a FROM soc_a);
EXPLAIN SELECT a FROM soc_b UNION ALL SELECT a FROM soc_b UNION ALL SELECT a FROM soc_b;
EXPLAIN SELECT a FROM soc_b UNION SELECT a FROM soc_b UNION SELECT a FROM soc_b;
EXPLAIN (COSTS OFF) SELECT * FROM (SELECT a FROM soc_a UNION ALL SELECT a FROM soc_b) s WHERE a > 3;
EXPLAIN (COSTS OFF) SELECT * FROM (SELECT a FROM soc_a UNION ALL SELECT a FROM soc_b) s WHERE a > 3 ORDER BY a LIMIT 3;
EXPLAIN (COSTS OFF) SELECT * FROM (SELECT a, b FROM soc_a UNION SELECT a, b FROM soc_b) s WHERE a > 1190 AND b LIKE 'y%';
-- the answers
SELECT count(*), sum(a) FROM (SELECT a FROM soc_a UNION SELECT a FROM soc_b) s;
SELECT count(*), sum(a) FROM (SELECT a FROM soc_a UNION ALL SELECT a FROM soc_b UNION ALL SELECT a FROM soc_a) s;
SELECT * FROM (SELECT a FROM soc_a UNION ALL SELECT a FROM soc_b) s WHERE a > 1195 ORDER BY a;
SELECT * FROM (SELECT a, b FROM soc_a UNION SELECT a, b FROM soc_b) s WHERE a > 1190 AND b LIKE 'y%' ORDER BY a;
SELECT a, b FROM soc_a WHERE a < 3 UNION ALL SELECT a, b FROM soc_b WHERE a < 3 UNION ALL SELECT 1, 'x' ORDER BY 1, 2;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT a FROM soc_a WHERE a < 100 UNION ALL SELECT a FROM soc_b WHERE a < 50;
EXPLAIN (COSTS OFF, FORMAT JSON) SELECT a FROM soc_a UNION ALL SELECT a FROM soc_b;
DROP TABLE soc_a;
DROP TABLE soc_b;
