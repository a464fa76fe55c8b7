-- PostgreSQL's Subquery Scan: kept over a subquery in FROM (or an inlined WITH query) that is
-- not pulled up when a condition of the outer query stays on it, or when the statement reads
-- its columns otherwise than they come (setrefs.c's trivial_subqueryscan)
CREATE TABLE sqs_t (id int PRIMARY KEY, g int, v int);
INSERT INTO sqs_t SELECT i, i % 5, (i * 7) % 13 FROM generate_series(1, 1000) i;
ANALYZE sqs_t;
-- rn = 2 keeps its Filter above the WindowAgg's Run Condition (rn <= 2)
EXPLAIN SELECT * FROM (SELECT id, row_number() OVER (PARTITION BY g ORDER BY id) rn FROM sqs_t) s WHERE rn = 2;
SELECT * FROM (SELECT id, row_number() OVER (PARTITION BY g ORDER BY id) rn FROM sqs_t) s WHERE rn = 2 ORDER BY id;
EXPLAIN SELECT * FROM (SELECT id, g, row_number() OVER (PARTITION BY g ORDER BY id) rn FROM sqs_t) s WHERE rn = 2;
-- a condition on a column the windows do not all partition by stays in the Subquery Scan
EXPLAIN SELECT * FROM (SELECT id, row_number() OVER (PARTITION BY g ORDER BY id) rn FROM sqs_t) s WHERE rn <= 3 AND id % 2 = 0;
SELECT * FROM (SELECT id, row_number() OVER (PARTITION BY g ORDER BY id) rn FROM sqs_t) s WHERE rn <= 3 AND id % 2 = 0 ORDER BY id;
EXPLAIN (COSTS OFF) SELECT * FROM (SELECT id, v, sum(v) OVER (ORDER BY id) sv FROM sqs_t) s WHERE v > 10 AND sv < 100;
SELECT * FROM (SELECT id, v, sum(v) OVER (ORDER BY id) sv FROM sqs_t) s WHERE v > 10 AND sv < 100 ORDER BY id;
-- the Run Condition alone, every column read in order: no Subquery Scan
EXPLAIN SELECT * FROM (SELECT id, g, v, row_number() OVER (PARTITION BY g ORDER BY id) rn FROM sqs_t) s WHERE rn <= 3;
EXPLAIN SELECT * FROM (SELECT id, row_number() OVER (ORDER BY id) rn FROM sqs_t) s WHERE rn <= 3;
-- the WindowAgg carries a window key the select list lacks, or the statement reorders or drops columns
EXPLAIN SELECT * FROM (SELECT id, row_number() OVER (PARTITION BY g ORDER BY id) rn FROM sqs_t) s;
EXPLAIN SELECT rn, id FROM (SELECT id, row_number() OVER (ORDER BY id) rn FROM sqs_t) s;
SELECT rn, id FROM (SELECT id, row_number() OVER (ORDER BY id) rn FROM sqs_t) s WHERE id < 4 ORDER BY id;
EXPLAIN SELECT id, rn FROM (SELECT id, v, row_number() OVER (ORDER BY v) rn FROM sqs_t) s WHERE rn <= 3;
SELECT id, rn FROM (SELECT id, v, row_number() OVER (ORDER BY v, id) rn FROM sqs_t) s WHERE rn <= 3 ORDER BY id;
EXPLAIN SELECT * FROM (SELECT id, row_number() OVER (PARTITION BY g ORDER BY id) rn FROM sqs_t) s ORDER BY rn DESC LIMIT 3;
EXPLAIN SELECT id, rn + 1 FROM (SELECT id, row_number() OVER (ORDER BY id) rn FROM sqs_t) s;
-- LIMIT / OFFSET 0 in the subquery: nothing is pushed into it
EXPLAIN (COSTS OFF) SELECT * FROM (SELECT id, v FROM sqs_t OFFSET 0) s WHERE id > 5 AND v = 3;
SELECT count(*) FROM (SELECT id, v FROM sqs_t OFFSET 0) s WHERE id > 5 AND v = 3;
EXPLAIN (COSTS OFF) SELECT * FROM (SELECT id, v FROM sqs_t ORDER BY v LIMIT 10) s WHERE id > 5;
SELECT * FROM (SELECT id, v FROM sqs_t ORDER BY v, id LIMIT 10) s WHERE id > 5 ORDER BY id;
-- a WITH query inlined: the scan is named after it
EXPLAIN WITH w AS (SELECT id, row_number() OVER (ORDER BY v) rn FROM sqs_t) SELECT * FROM w WHERE rn = 2;
WITH w AS (SELECT id, row_number() OVER (ORDER BY v, id) rn FROM sqs_t) SELECT * FROM w WHERE rn = 2;
-- a lower WindowAgg's Run Condition: the top one's Filter re-tests it, inside the subquery
EXPLAIN SELECT * FROM (SELECT id, v, row_number() OVER (ORDER BY id) rn, count(*) OVER (ORDER BY v) c FROM sqs_t) s WHERE c <= 8;
EXPLAIN SELECT * FROM (SELECT id, v, row_number() OVER (ORDER BY id) rn, row_number() OVER (ORDER BY v, id) r2 FROM sqs_t) s WHERE r2 = 3;
SELECT * FROM (SELECT id, v, row_number() OVER (ORDER BY id) rn, row_number() OVER (ORDER BY v, id) r2 FROM sqs_t) s WHERE r2 = 3;
-- a view that is not pulled up: the scan is named as the FROM item
CREATE VIEW sqs_v AS SELECT id, row_number() OVER (PARTITION BY g ORDER BY id) rn FROM sqs_t;
EXPLAIN SELECT * FROM sqs_v WHERE rn = 2;
EXPLAIN SELECT * FROM sqs_v x WHERE rn <= 2 AND id > 500;
EXPLAIN SELECT id FROM sqs_v WHERE rn = 1;
SELECT * FROM sqs_v WHERE rn = 2 ORDER BY id;
CREATE VIEW sqs_v2 AS SELECT id, v FROM sqs_t ORDER BY v LIMIT 10;
EXPLAIN (COSTS OFF) SELECT * FROM sqs_v2 WHERE id > 5;
DROP VIEW sqs_v, sqs_v2;
-- under a join
EXPLAIN SELECT s.id FROM (SELECT id, row_number() OVER (ORDER BY v) rn FROM sqs_t) s JOIN sqs_t t2 ON t2.id = s.id WHERE s.rn = 2;
-- GROUP BY and DISTINCT: a condition on the group keys goes below the grouping (a HAVING
-- without aggregates too), one on an aggregate is the HashAggregate's Filter: no scan stays
EXPLAIN SELECT * FROM (SELECT g, count(*) c FROM sqs_t GROUP BY g) s WHERE g > 1;
EXPLAIN SELECT * FROM (SELECT g, count(*) c FROM sqs_t GROUP BY g) s WHERE g > 1 AND c > 100;
SELECT * FROM (SELECT g, count(*) c FROM sqs_t GROUP BY g) s WHERE g > 1 AND c > 100 ORDER BY g;
EXPLAIN SELECT g, count(*) FROM sqs_t GROUP BY g HAVING g > 1;
EXPLAIN SELECT g, count(*) FROM sqs_t GROUP BY g HAVING g > random();
SELECT * FROM (SELECT DISTINCT g FROM sqs_t) s WHERE g > 1 ORDER BY g;
-- DISTINCT ON: Unique over a Sort by the ORDER BY (or, without one, by its keys), no Sort
-- after it; a condition on its keys goes below it, any other stays in the Subquery Scan, with
-- the default selectivities (examine_simple_variable does not look through DISTINCT)
EXPLAIN SELECT DISTINCT ON (g) g, id FROM sqs_t ORDER BY g, id DESC;
EXPLAIN SELECT DISTINCT ON (g, v) g, v, id FROM sqs_t ORDER BY g;
EXPLAIN SELECT DISTINCT ON (g) g, id FROM sqs_t ORDER BY g, id DESC LIMIT 2;
SELECT DISTINCT ON (g) g, id FROM sqs_t ORDER BY g, id DESC LIMIT 2;
EXPLAIN SELECT * FROM (SELECT DISTINCT ON (g) g, id FROM sqs_t ORDER BY g, id DESC) s WHERE id > 500;
SELECT * FROM (SELECT DISTINCT ON (g) g, id FROM sqs_t ORDER BY g, id DESC) s WHERE id > 500;
EXPLAIN SELECT * FROM (SELECT DISTINCT ON (g) g, id FROM sqs_t) s WHERE id > 500;
EXPLAIN SELECT * FROM (SELECT DISTINCT ON (g) g, id FROM sqs_t ORDER BY g, id DESC) s WHERE g > 2 AND id > 500;
SELECT * FROM (SELECT DISTINCT ON (g) g, id FROM sqs_t ORDER BY g, id DESC) s WHERE g > 2 AND id > 500;
EXPLAIN SELECT * FROM (SELECT DISTINCT ON (g) id, g FROM sqs_t ORDER BY g, id DESC) s WHERE g > 2;
EXPLAIN VERBOSE SELECT * FROM (SELECT DISTINCT ON (g) g, id FROM sqs_t ORDER BY g, id DESC) s WHERE id > 500;
-- the ORDER BY key the select list lacks: a Subquery Scan without a Filter
EXPLAIN SELECT * FROM (SELECT DISTINCT ON (g) g FROM sqs_t ORDER BY g, id DESC) s WHERE g > 2;
EXPLAIN (COSTS OFF) SELECT * FROM (SELECT DISTINCT ON (g) g, v FROM sqs_t ORDER BY g, id DESC) s WHERE v > 2;
SELECT * FROM (SELECT DISTINCT ON (g) g, v FROM sqs_t ORDER BY g, id DESC) s WHERE v > 2;
-- set operations: a condition goes into every operand of UNION / INTERSECT (the one with
-- fewer groups first), none into EXCEPT, whose Subquery Scan keeps it
EXPLAIN (COSTS OFF) SELECT * FROM (SELECT id FROM sqs_t UNION SELECT v FROM sqs_t) s WHERE id > 3;
SELECT count(*) FROM (SELECT id FROM sqs_t UNION SELECT v FROM sqs_t) s WHERE id > 3;
EXPLAIN (COSTS OFF) SELECT * FROM (SELECT id, g FROM sqs_t INTERSECT SELECT v, g FROM sqs_t) s WHERE g = 2;
SELECT * FROM (SELECT id, g FROM sqs_t INTERSECT SELECT v, g FROM sqs_t) s WHERE g = 2 ORDER BY id;
EXPLAIN (COSTS OFF) SELECT * FROM (SELECT id, g FROM sqs_t EXCEPT SELECT v, g FROM sqs_t) s WHERE g = 2;
SELECT count(*) FROM (SELECT id, g FROM sqs_t EXCEPT SELECT v, g FROM sqs_t) s WHERE g = 2;
EXPLAIN (COSTS OFF) SELECT * FROM (SELECT id FROM sqs_t UNION ALL SELECT v FROM sqs_t) s WHERE id > 3;
SELECT count(*) FROM (SELECT id FROM sqs_t UNION ALL SELECT v FROM sqs_t) s WHERE id > 3;
-- an operand giving the column as a constant: the condition folded there, true goes, false
-- drops a UNION ALL arm (a UNION's stays, under One-Time Filter: false); Append shows no Output
EXPLAIN VERBOSE SELECT * FROM (SELECT id, g FROM sqs_t UNION ALL SELECT 1, 2) s WHERE g = 2;
EXPLAIN SELECT * FROM (SELECT id, g FROM sqs_t UNION ALL SELECT 1, 2) s WHERE g = 3;
EXPLAIN SELECT * FROM (SELECT id, g FROM sqs_t UNION ALL SELECT 1, 2) s WHERE g = 2 AND id > 5;
EXPLAIN SELECT * FROM (SELECT id, 7 AS g FROM sqs_t UNION ALL SELECT id, g FROM sqs_t) s WHERE g = 2;
EXPLAIN (COSTS OFF) SELECT * FROM (SELECT id, g FROM sqs_t UNION ALL SELECT 1, 2 UNION ALL SELECT 5, 3) s WHERE g = 2;
EXPLAIN (COSTS OFF) SELECT * FROM (SELECT id, g FROM sqs_t UNION SELECT 1, 2) s WHERE g = 3;
EXPLAIN SELECT * FROM (SELECT 1 AS a, 2 AS b UNION ALL SELECT 3, 4) s WHERE b = 9;
SELECT * FROM (SELECT id, g FROM sqs_t UNION ALL SELECT 1, 2) s WHERE g = 2 AND id < 13 ORDER BY id;
SELECT * FROM (SELECT id, g FROM sqs_t UNION ALL SELECT 1, 2) s WHERE g = 3 AND id < 13 ORDER BY id;
SELECT * FROM (SELECT id, g FROM sqs_t UNION SELECT 1, 2) s WHERE g = 3 AND id < 13 ORDER BY id;
SELECT * FROM (SELECT 1 AS a, 2 AS b UNION ALL SELECT 3, 4) s WHERE b = 9;
-- their costs: each operand's Subquery Scan cpu_tuple_cost a row, the Append half of it,
-- HashSetOp's hashing; an INTERSECT's rows the fewer groups, an EXCEPT's its left's
EXPLAIN SELECT id, g FROM sqs_t INTERSECT SELECT v, g FROM sqs_t;
EXPLAIN SELECT id, g FROM sqs_t EXCEPT SELECT v, g FROM sqs_t;
EXPLAIN SELECT v, g FROM sqs_t INTERSECT ALL SELECT id, g FROM sqs_t;
EXPLAIN SELECT id FROM sqs_t UNION SELECT v FROM sqs_t;
EXPLAIN (COSTS OFF) SELECT v FROM sqs_t INTERSECT ALL SELECT id FROM sqs_t;
SELECT * FROM (SELECT v FROM sqs_t INTERSECT ALL SELECT g FROM sqs_t) s ORDER BY 1;
EXPLAIN (COSTS OFF) SELECT id FROM sqs_t EXCEPT ALL SELECT v FROM sqs_t;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT id, g FROM sqs_t EXCEPT SELECT v, g FROM sqs_t;
-- a window function nobody above reads is not computed (remove_unused_subquery_outputs): a
-- NULL in its place, and a window with no function left has no WindowAgg and no Sort
EXPLAIN VERBOSE SELECT id FROM (SELECT id, v, sum(v) OVER (ORDER BY v) sv FROM sqs_t) s WHERE id > 990;
SELECT id FROM (SELECT id, v, sum(v) OVER (ORDER BY v) sv FROM sqs_t) s WHERE id > 990 ORDER BY id;
EXPLAIN VERBOSE SELECT id FROM (SELECT id, v, sum(v) OVER (ORDER BY v) sv, row_number() OVER (ORDER BY v) rn FROM sqs_t) s WHERE rn < 990;
EXPLAIN VERBOSE SELECT id FROM (SELECT id, v, sum(v) OVER (ORDER BY v) sv, row_number() OVER (ORDER BY v) rn FROM sqs_t) s WHERE id > 990;
EXPLAIN (COSTS OFF) SELECT count(*) FROM (SELECT id, sum(v) OVER (ORDER BY v) sv FROM sqs_t) s;
SELECT count(*), sum(sv) FROM (SELECT id, sum(v) OVER (ORDER BY v, id) sv FROM sqs_t) s;
-- a pulled-up subquery's column is named by its table above it (set_plan_references)
EXPLAIN SELECT s.g, count(*) FROM (SELECT id, g FROM sqs_t) s GROUP BY s.g;
EXPLAIN SELECT * FROM (SELECT id, v FROM sqs_t) s JOIN sqs_t t2 ON t2.id = s.id WHERE s.v + t2.v > 3;
EXPLAIN (COSTS OFF) SELECT * FROM (SELECT id, v FROM sqs_t) s JOIN sqs_t t2 ON s.v < t2.g WHERE t2.id < 3;
-- VERBOSE, ANALYZE, JSON
EXPLAIN VERBOSE SELECT * FROM (SELECT id, row_number() OVER (PARTITION BY g ORDER BY id) rn FROM sqs_t) s WHERE rn = 2;
EXPLAIN VERBOSE SELECT id, rn FROM (SELECT id, v, row_number() OVER (ORDER BY v) rn FROM sqs_t) s WHERE rn <= 3;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM (SELECT id, v FROM sqs_t OFFSET 0) s WHERE v = 3;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM (SELECT id, count(*) OVER () c FROM sqs_t) s WHERE id % 100 = 0;
EXPLAIN (FORMAT JSON, COSTS OFF) SELECT * FROM (SELECT id, row_number() OVER (PARTITION BY g ORDER BY id) rn FROM sqs_t) s WHERE rn = 2;
EXPLAIN (FORMAT JSON, COSTS OFF) SELECT * FROM (SELECT id, g FROM sqs_t EXCEPT SELECT v, g FROM sqs_t) s WHERE g = 2;
EXPLAIN (FORMAT JSON, COSTS OFF) SELECT * FROM (SELECT id FROM sqs_t UNION ALL SELECT v FROM sqs_t) s WHERE id > 3;
DROP TABLE sqs_t;
