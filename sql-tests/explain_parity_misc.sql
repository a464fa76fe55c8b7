-- EXPLAIN details and estimates as PostgreSQL 15 prints them (issue 10): a WHERE condition
-- above an outer join is the join's Filter (its ON's other conditions are its Join Filter);
-- functions written in SQL syntax (EXTRACT, SUBSTRING … FROM, TRIM, POSITION, OVERLAY,
-- AT TIME ZONE) shown in that syntax; no statistics through a cast that is a function
-- call (numeric → int4), DEFAULT_EQ_SEL; a set operation's width from its column types; a
-- Result's cost including its InitPlans'; aggregates' final functions and shared transitions.
CREATE TABLE epm_o (id int PRIMARY KEY, cust int, amount numeric(10,2), created date, note text);
CREATE TABLE epm_c (id int PRIMARY KEY, name text, region text);
INSERT INTO epm_c SELECT g, 'cust ' || g, (ARRAY['north','south','east','west'])[1 + g % 4] FROM generate_series(1, 500) g;
INSERT INTO epm_o SELECT g, 1 + g % 500, (g % 1000) / 10.0, date '2024-01-01' + g % 365, CASE WHEN g % 10 = 0 THEN NULL ELSE 'n' || g END FROM generate_series(1, 10000) g;
CREATE INDEX ON epm_o (cust);
CREATE INDEX ON epm_o (created);
ANALYZE epm_o;
ANALYZE epm_c;
-- 1. WHERE above an outer join: Filter, after null-extension; the ON's other conditions: Join Filter
EXPLAIN SELECT * FROM epm_c c LEFT JOIN epm_o o ON o.cust = c.id WHERE o.id IS NULL;
EXPLAIN (COSTS OFF) SELECT * FROM epm_c c LEFT JOIN epm_o o ON o.cust = c.id AND o.amount > c.id WHERE o.id IS NULL OR c.id > o.id;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM epm_c c LEFT JOIN epm_o o ON o.cust = c.id WHERE o.id IS NULL;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM epm_c c LEFT JOIN epm_o o ON o.cust = c.id AND o.amount > c.id WHERE o.id IS NULL OR c.id > o.id;
SELECT count(*) FROM epm_c c LEFT JOIN epm_o o ON o.cust = c.id AND o.amount > c.id WHERE o.id IS NULL OR c.id > o.id;
SELECT c.id FROM epm_c c LEFT JOIN epm_o o ON o.cust = c.id AND o.amount > 90 WHERE o.id IS NULL ORDER BY c.id LIMIT 5;
EXPLAIN (COSTS OFF) SELECT * FROM epm_c c JOIN epm_o o ON o.cust = c.id WHERE c.id > o.id;
-- 2. functions written in SQL syntax print in it; the same functions called by name stay calls
CREATE TABLE epm_s (t text, b bytea, ts timestamp, tz timestamptz, d date, iv interval, tm time);
EXPLAIN SELECT * FROM epm_o o WHERE extract(month FROM created) = 3;
EXPLAIN (COSTS OFF, VERBOSE) SELECT extract(month FROM d), extract(epoch FROM ts), extract(hour FROM tm), extract(day FROM iv), extract(year FROM tz) FROM epm_s;
EXPLAIN (COSTS OFF, VERBOSE) SELECT substring(t FROM 2 FOR 3), substring(t FROM 2), substring(t, 2), substring(t FOR 3), substring(b FROM 1 FOR 2), substring(t FROM 'a.') FROM epm_s;
EXPLAIN (COSTS OFF, VERBOSE) SELECT trim(t), trim(both 'x' FROM t), trim(leading FROM t), trim(trailing 'y' FROM t), btrim(t), ltrim(t, 'x') FROM epm_s;
EXPLAIN (COSTS OFF, VERBOSE) SELECT position('a' IN t), position(t || 'b' IN 'abc'), overlay(t PLACING 'x' FROM 2), overlay(t PLACING 'x' FROM 2 FOR 3), strpos(t, 'a') FROM epm_s;
EXPLAIN (COSTS OFF, VERBOSE) SELECT ts AT TIME ZONE 'UTC', tz AT TIME ZONE 'Europe/Paris', ts AT TIME ZONE iv, (ts + iv) AT TIME ZONE 'UTC', timezone('UTC', ts) FROM epm_s;
EXPLAIN (COSTS OFF) SELECT * FROM epm_s WHERE extract(month FROM d) = 3 AND substring(t FROM 2) = 'x' AND trim(t) <> '' AND position('a' IN t) > 0;
-- the syntax is not part of what an expression is: SUBSTRING(… FROM 2) matches GROUP BY substring(…, 2)
SELECT substring(note FROM 2) FROM epm_o GROUP BY substring(note, 2) ORDER BY 1 LIMIT 3;
DROP TABLE epm_s;
-- 3. a cast that calls a function (numeric → int4, int4 → text, int4 → int8) is an expression
-- without statistics: DEFAULT_EQ_SEL, DEFAULT_INEQ_SEL, a range of two defaults
-- DEFAULT_RANGE_INEQ_SEL; a binary-coercible one (varchar → text) keeps the column's statistics
CREATE TABLE epm_v (i int, s varchar(20), b bigint, sm int2, f4 real, d date);
INSERT INTO epm_v SELECT g, 'v' || (g % 50), g % 100, g % 30, g % 40, date '2024-01-01' + g % 100 FROM generate_series(1, 5000) g;
ANALYZE epm_v;
EXPLAIN SELECT * FROM epm_o WHERE amount::int = 5;
EXPLAIN SELECT * FROM epm_o WHERE amount::int > 5;
EXPLAIN SELECT * FROM epm_o WHERE amount::int > 5 AND amount::int < 10;
EXPLAIN SELECT * FROM epm_o WHERE amount::int IS NULL;
EXPLAIN SELECT * FROM epm_v WHERE i::text = '5';
EXPLAIN SELECT * FROM epm_v WHERE i::text <> '5';
EXPLAIN SELECT * FROM epm_v WHERE i::bigint = 5;
EXPLAIN SELECT * FROM epm_v WHERE cast(i AS numeric) = 5;
EXPLAIN SELECT * FROM epm_v WHERE s::text = 'v5';
EXPLAIN SELECT * FROM epm_v WHERE s = 'v5';
EXPLAIN SELECT * FROM epm_v WHERE sm = 5;
EXPLAIN SELECT * FROM epm_v WHERE sm = 5::bigint;
EXPLAIN SELECT * FROM epm_v WHERE i = 5::bigint;
EXPLAIN SELECT * FROM epm_v WHERE f4 = 5.5;
EXPLAIN SELECT * FROM epm_v WHERE d < timestamp '2024-02-01';
EXPLAIN SELECT * FROM epm_v WHERE d::timestamp < timestamp '2024-02-01';
EXPLAIN SELECT * FROM epm_v WHERE i::text LIKE '1%';
EXPLAIN SELECT * FROM epm_v WHERE s::text LIKE 'v1%';
EXPLAIN SELECT * FROM epm_v WHERE i::bigint IN (1, 2, 3);
EXPLAIN SELECT * FROM epm_v WHERE i::bigint <> ALL ('{1,2}');
EXPLAIN SELECT * FROM epm_v WHERE i + 0 > 5 AND i + 0 < 10;
EXPLAIN SELECT * FROM epm_v WHERE i + 1 <> 5;
-- PostgreSQL's own cast by a function (int → numeric for `cust = 5.5`) hides the statistics
-- too; its cross-type operators (int2 < int4, date = timestamptz, real < float8) do not
EXPLAIN SELECT * FROM epm_o WHERE cust = 5.5;
EXPLAIN SELECT * FROM epm_o WHERE cust < 5.5;
EXPLAIN SELECT * FROM epm_v WHERE i = 5.5::float8;
EXPLAIN SELECT * FROM epm_v WHERE f4 < 5.5::float8;
EXPLAIN SELECT * FROM epm_v WHERE sm < 5;
EXPLAIN SELECT * FROM epm_v WHERE d = '2024-01-05'::timestamptz;
EXPLAIN SELECT * FROM epm_v WHERE i IN (1.5, 2.5);
DROP TABLE epm_v;
-- 4. a set operation's output has no statistics: its width is its column types' (numeric(10,2)
-- 16, text 32; INTERSECT / EXCEPT add the flag column); the scans below keep their own widths
EXPLAIN SELECT * FROM epm_o UNION SELECT * FROM epm_o;
EXPLAIN SELECT * FROM epm_o UNION ALL SELECT * FROM epm_o;
EXPLAIN SELECT * FROM epm_o INTERSECT SELECT * FROM epm_o;
EXPLAIN SELECT * FROM epm_o EXCEPT ALL SELECT * FROM epm_o;
EXPLAIN SELECT id, note FROM epm_o UNION SELECT id, name FROM epm_c;
EXPLAIN SELECT * FROM (SELECT cust, note FROM epm_o UNION SELECT id, name FROM epm_c) u;
EXPLAIN SELECT * FROM (SELECT cust, note FROM epm_o UNION SELECT id, name FROM epm_c) u WHERE cust > 5;
EXPLAIN SELECT * FROM (SELECT cust, note FROM epm_o UNION ALL SELECT id, name FROM epm_c) u;
EXPLAIN SELECT count(*) FROM (SELECT * FROM epm_o UNION SELECT * FROM epm_o) u;
-- 5. the top node of a query with InitPlans starts after them and costs them too
-- (SS_charge_for_initplans); an InitPlan's value is a Param, free where it is read
EXPLAIN SELECT (SELECT count(*) FROM epm_c), (SELECT max(name) FROM epm_c);
EXPLAIN SELECT * FROM epm_c WHERE name = (SELECT max(name) FROM epm_c);
EXPLAIN SELECT count(*) FROM epm_o WHERE cust < (SELECT avg(id) FROM epm_c);
EXPLAIN SELECT region, (SELECT max(amount) FROM epm_o) FROM epm_c WHERE name > (SELECT min(name) FROM epm_c WHERE region = 'east');
-- 6. cost_agg charges an aggregate's final function once a group (sum(numeric), avg, stddev;
-- not count, min, max, sum(int4)), and one transition a row for calls that share their state
-- (sum(amount) and avg(amount): numeric_avg_accum once)
EXPLAIN WITH t AS (SELECT cust, sum(amount) s FROM epm_o GROUP BY cust) SELECT * FROM t WHERE s > 100;
EXPLAIN SELECT cust, sum(amount), avg(amount), count(*), max(note), sum(id), avg(id), sum(id::bigint), stddev(id) FROM epm_o GROUP BY cust;
EXPLAIN SELECT cust, sum(amount), avg(amount) FILTER (WHERE id > 5), sum(amount) FILTER (WHERE id > 5), count(id), count(*) FROM epm_o GROUP BY cust;
EXPLAIN SELECT sum(amount), avg(id), count(*) FROM epm_o;
EXPLAIN SELECT sum(id), avg(id), sum(id::bigint), avg(id::bigint), min(note), max(note) FROM epm_o;
EXPLAIN SELECT region, string_agg(name, ','), array_agg(id), bool_and(id > 3), sum(id::float8), avg(id::float8) FROM epm_c GROUP BY region;
DROP TABLE epm_o, epm_c;
