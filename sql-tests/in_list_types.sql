-- IN lists bound as PostgreSQL's transformAExprIn binds them: the items that read no column
-- become one `= ANY (array)` over the common type of the left side and those items, the
-- array coerced to the operator's type (varchar compares as text) and folded to a constant;
-- the items that read a column stay tests of their own, each as written.
CREATE TABLE inl_t (a int, n numeric, c text, v varchar(10), ch char(3), b8 bigint);
INSERT INTO inl_t SELECT g, g / 4.0, 'v' || (g % 7), 'v' || (g % 5), 'c' || (g % 3), g FROM generate_series(1, 100) g;
EXPLAIN (COSTS OFF) SELECT * FROM inl_t WHERE n IN (1, 2.5);
EXPLAIN (COSTS OFF) SELECT * FROM inl_t WHERE a IN (1, 2.5);
EXPLAIN (COSTS OFF) SELECT * FROM inl_t WHERE b8 IN (1, 2.5);
EXPLAIN (COSTS OFF) SELECT * FROM inl_t WHERE c IN ('a', 'b');
EXPLAIN (COSTS OFF) SELECT * FROM inl_t WHERE v IN ('v1', 'v2');
EXPLAIN (COSTS OFF) SELECT * FROM inl_t WHERE v NOT IN ('v1', 'v2');
EXPLAIN (COSTS OFF) SELECT * FROM inl_t WHERE v IN ('v1'::varchar, 'v2'::varchar);
EXPLAIN (COSTS OFF) SELECT * FROM inl_t WHERE c IN ('v1'::varchar, 'v2'::varchar);
EXPLAIN (COSTS OFF) SELECT * FROM inl_t WHERE v IN ('v1', 'v2', c);
EXPLAIN (COSTS OFF) SELECT * FROM inl_t WHERE c IN ('a', v);
EXPLAIN (COSTS OFF) SELECT * FROM inl_t WHERE v IN ('v1', NULL);
EXPLAIN (COSTS OFF) SELECT * FROM inl_t WHERE ch IN ('c1', 'c2');
EXPLAIN (COSTS OFF) SELECT * FROM inl_t WHERE ch = 'c1';
EXPLAIN (COSTS OFF) SELECT * FROM inl_t WHERE a IN (1, 2, a + 1);
SELECT count(*) FROM inl_t WHERE n IN (1, 2.5);
SELECT count(*) FROM inl_t WHERE v IN ('v1', 'v2');
SELECT count(*) FROM inl_t WHERE v NOT IN ('v1', 'v2');
SELECT count(*) FROM inl_t WHERE v IN ('v1', 'v2', c);
SELECT count(*) FROM inl_t WHERE c IN ('v1'::varchar, 'v2'::varchar);
SELECT count(*) FROM inl_t WHERE ch IN ('c1', 'c2');
SELECT count(*) FROM inl_t WHERE v IN ('v1', NULL);
SELECT count(*) FROM inl_t WHERE v NOT IN ('v1', NULL);
DROP TABLE inl_t;
