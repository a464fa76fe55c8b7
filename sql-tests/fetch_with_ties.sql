-- FETCH FIRST n ROWS WITH TIES (PostgreSQL 13+): rows tied with the n-th on the ORDER BY keys pass too
CREATE TABLE ties_t (a int, b int, v vector(2));
INSERT INTO ties_t VALUES (1, 1, '[0,0]'), (2, 2, '[1,0]'), (2, 3, '[0,1]'), (3, 4, '[1,1]'),
  (3, 5, '[1,1]'), (3, 6, '[2,2]'), (4, 7, '[3,3]'), (NULL, 8, '[4,4]'), (NULL, 9, '[5,5]');
SELECT a, b FROM ties_t ORDER BY a FETCH FIRST 2 ROWS WITH TIES;
SELECT a, b FROM ties_t ORDER BY a FETCH FIRST 3 ROWS WITH TIES;
SELECT a, b FROM ties_t ORDER BY a FETCH FIRST 4 ROWS WITH TIES;
SELECT a, b FROM ties_t ORDER BY a FETCH FIRST 1 ROW ONLY;
SELECT a, b FROM ties_t ORDER BY a OFFSET 1 ROW FETCH FIRST 2 ROWS WITH TIES;
SELECT a, b FROM ties_t ORDER BY a OFFSET 3 FETCH NEXT 1 ROW WITH TIES;
SELECT count(*) FROM (SELECT a FROM ties_t ORDER BY a NULLS FIRST FETCH FIRST 1 ROW WITH TIES) s;
SELECT a, b FROM ties_t ORDER BY a DESC NULLS LAST FETCH FIRST 2 ROWS WITH TIES;
SELECT a, b FROM ties_t ORDER BY a, b FETCH FIRST 2 ROWS WITH TIES;
SELECT a, b FROM ties_t ORDER BY a FETCH FIRST 0 ROWS WITH TIES;
SELECT a, b FROM ties_t ORDER BY a FETCH FIRST 100 ROWS WITH TIES;
SELECT a, b FROM ties_t ORDER BY a FETCH FIRST (SELECT 2) ROWS WITH TIES;
SELECT a, count(*) FROM ties_t GROUP BY a ORDER BY count(*) DESC FETCH FIRST 1 ROW WITH TIES;
SELECT * FROM (SELECT a, b FROM ties_t ORDER BY a FETCH FIRST 2 ROWS WITH TIES) s WHERE b > 1;
SELECT b FROM ties_t ORDER BY a + 0 FETCH FIRST 4 ROWS WITH TIES;
-- the distance keys: the tied distances all come back
SELECT b, v <-> '[0,0]' AS d FROM ties_t ORDER BY v <-> '[0,0]' FETCH FIRST 2 ROWS WITH TIES;
SELECT b FROM (SELECT b FROM ties_t ORDER BY v <-> '[1,1]' FETCH FIRST 1 ROW WITH TIES) s ORDER BY b;
-- errors
SELECT a FROM ties_t FETCH FIRST 2 ROWS WITH TIES;
SELECT a FROM ties_t ORDER BY a FETCH FIRST NULL ROWS WITH TIES;
SELECT a FROM ties_t ORDER BY a FETCH FIRST -1 ROWS WITH TIES;
SELECT a FROM ties_t ORDER BY a OFFSET -1 FETCH FIRST 1 ROW WITH TIES;
SELECT a FROM ties_t ORDER BY a OFFSET -1 LIMIT -1;
-- parameters through PREPARE
PREPARE ties_p(int) AS SELECT a, b FROM ties_t ORDER BY a FETCH FIRST $1 ROWS WITH TIES;
EXECUTE ties_p(2);
EXECUTE ties_p(5);
DEALLOCATE ties_p;
-- a cursor over it
BEGIN;
DECLARE ties_c CURSOR FOR SELECT a, b FROM ties_t ORDER BY a FETCH FIRST 3 ROWS WITH TIES;
FETCH 2 FROM ties_c;
FETCH ALL FROM ties_c;
FETCH ALL FROM ties_c;
COMMIT;
-- EXPLAIN: a Limit over the Sort (the Sort priced bounded by the count)
EXPLAIN (COSTS OFF) SELECT a, b FROM ties_t ORDER BY a FETCH FIRST 2 ROWS WITH TIES;
EXPLAIN (COSTS OFF) SELECT a, b FROM ties_t ORDER BY a OFFSET 1 FETCH FIRST 2 ROWS WITH TIES;
EXPLAIN SELECT a, b FROM ties_t ORDER BY a FETCH FIRST 2 ROWS WITH TIES;
EXPLAIN (COSTS OFF) SELECT b FROM ties_t ORDER BY v <-> '[0,0]' FETCH FIRST 2 ROWS WITH TIES;
-- views print it as ruleutils does
CREATE VIEW ties_v AS SELECT a, b FROM ties_t ORDER BY a FETCH FIRST 3 ROWS WITH TIES;
CREATE VIEW ties_v2 AS SELECT a, b FROM ties_t ORDER BY a, b DESC OFFSET 2 ROWS FETCH NEXT 1 ROW WITH TIES;
CREATE VIEW ties_v3 AS SELECT a FROM ties_t ORDER BY a OFFSET 2 FETCH FIRST 3 ROWS ONLY;
SELECT pg_get_viewdef('ties_v');
SELECT pg_get_viewdef('ties_v', true);
SELECT pg_get_viewdef('ties_v2', true);
SELECT pg_get_viewdef('ties_v3', true);
SELECT * FROM ties_v;
SELECT * FROM ties_v2;
DROP VIEW ties_v, ties_v2, ties_v3;
DROP TABLE ties_t;
-- with B-tree and HNSW indexes: the ties still all come back
create table ties_q (id int primary key, a int, v vector(2));
insert into ties_q select g, g % 5, array[g % 7, 0]::float4[]::vector from generate_series(1, 200) g;
create index on ties_q (a);
create index on ties_q using hnsw (v vector_l2_ops);
select count(*) from (select * from ties_q where a = 1 order by a fetch first 2 rows with ties) s;
select count(*) from (select * from ties_q order by a fetch first 2 rows with ties) s;
select count(*) from (select * from ties_q order by a, id fetch first 2 rows with ties) s;
select count(*) from (select id from ties_q order by v <-> '[0,0]' fetch first 3 rows with ties) s;
select count(*) from (select id from ties_q order by v <-> '[0,0]' limit 3) s;
select count(*), min(a) from (select * from ties_q order by a desc offset 10 fetch first 1 rows with ties) s;
select id from ties_q where id < 10 order by id desc fetch first 2 rows with ties;
select a, count(*) over () from (select a from ties_q order by a fetch first 1 row with ties) s limit 2;
drop table ties_q;
