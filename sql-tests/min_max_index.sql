-- min() / max() of an indexed column read through the index (planner/min-max-index.ts, as
-- PostgreSQL's planagg.c): answers must be PostgreSQL's whatever plan runs them.
CREATE TABLE mm_t (id int PRIMARY KEY, n int, f float8, s text, d date);
CREATE INDEX mm_n ON mm_t (n);
CREATE INDEX mm_f ON mm_t (f);
CREATE INDEX mm_s ON mm_t (s);
CREATE INDEX mm_d ON mm_t (d);
INSERT INTO mm_t SELECT g, CASE WHEN g % 10 = 0 THEN NULL ELSE g % 97 END, g / 7.0, 'v' || (g * 37 % 1000), DATE '2024-01-01' + (g % 400) FROM generate_series(1, 3000) g;
INSERT INTO mm_t VALUES (3001, NULL, 'NaN', NULL, NULL), (3002, -5, -0.0, '', DATE '1999-12-31');
ANALYZE mm_t;
SELECT max(id), min(id) FROM mm_t;
SELECT max(n), min(n) FROM mm_t;
SELECT max(f), min(f) FROM mm_t;
SELECT max(s), min(s) FROM mm_t;
SELECT max(d), min(d) FROM mm_t;
SELECT max(n) FROM mm_t WHERE id < 100;
SELECT min(n) FROM mm_t WHERE s LIKE 'v9%';
SELECT max(n), min(id) FROM mm_t WHERE f > 1000;
SELECT max(n) FROM mm_t WHERE id > 5000;
SELECT max(n) + 1 AS next, min(n) * 2 FROM mm_t;
SELECT max(n) FROM mm_t HAVING max(n) > 10;
SELECT max(n) FROM mm_t HAVING max(n) > 1000;
SELECT id FROM mm_t WHERE n = (SELECT max(n) FROM mm_t) ORDER BY id LIMIT 3;
-- not rewritten: GROUP BY, DISTINCT, FILTER, an unindexed argument
SELECT n % 3, max(n) FROM mm_t GROUP BY 1 ORDER BY 1;
SELECT max(DISTINCT n), max(n) FILTER (WHERE id < 50) FROM mm_t;
SELECT max(id * 2) FROM mm_t;
SELECT max(n), count(*) FROM mm_t;
-- changes seen at once
DELETE FROM mm_t WHERE n = 96;
UPDATE mm_t SET n = 500 WHERE id = 7;
SELECT max(n), min(n) FROM mm_t;
BEGIN;
INSERT INTO mm_t VALUES (4000, 1000, 0, 'zzz', DATE '2030-01-01');
SELECT max(n), max(s), max(d) FROM mm_t;
ROLLBACK;
SELECT max(n), max(s), max(d) FROM mm_t;
CREATE TABLE mm_empty (id int PRIMARY KEY);
SELECT max(id), min(id) FROM mm_empty;
DROP TABLE mm_t, mm_empty;
