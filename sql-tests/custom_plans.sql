-- EXPLAIN EXECUTE shows the plan EXECUTE would run: PostgreSQL's custom plan (the parameters'
-- values as constants) for the first five executions under plan_cache_mode auto, and always
-- under force_custom_plan; the generic plan ($1) under force_generic_plan.
CREATE TABLE cpp_t (a int PRIMARY KEY, b int, t text, v vector(2));
INSERT INTO cpp_t SELECT g, g % 10, 'x' || g, ARRAY[g, 1]::float4[]::vector FROM generate_series(1, 1000) g;
ANALYZE cpp_t;
PREPARE q(int, text, vector) AS SELECT * FROM cpp_t WHERE b = $1 AND t = $2 AND v <-> $3 < 1;
EXPLAIN (COSTS OFF) EXECUTE q(3, 'x', '[1,2]');
EXPLAIN EXECUTE q(NULL, 'x', '[1,2]');
PREPARE k(int) AS SELECT * FROM cpp_t WHERE a = $1;
EXPLAIN EXECUTE k(5);
EXECUTE k(5);
PREPARE r(int, int) AS SELECT sum(b) FROM cpp_t WHERE a BETWEEN $1 AND $2;
EXPLAIN (COSTS OFF) EXECUTE r(1, 900);
EXPLAIN (COSTS OFF) EXECUTE r(1, 5);
SET plan_cache_mode = force_generic_plan;
EXPLAIN (COSTS OFF) EXECUTE r(1, 5);
RESET plan_cache_mode;
PREPARE s(int) AS SELECT a FROM cpp_t WHERE b = $1 ORDER BY a LIMIT 2;
EXECUTE s(1);
EXECUTE s(2);
EXECUTE s(3);
EXECUTE s(4);
EXECUTE s(5);
EXPLAIN (COSTS OFF) EXECUTE s(6);
SET plan_cache_mode = force_custom_plan;
EXPLAIN (COSTS OFF) EXECUTE s(6);
RESET plan_cache_mode;
DROP TABLE cpp_t;
