-- Semi and anti join rows with most-common values on both sides, as PostgreSQL 15's
-- eqjoinsel_semi, and a semi join run over its inner side made unique sized as the semi join
-- (a join relation's rows do not depend on its path)
CREATE TABLE se (d float8, a int, b int, c text, f bool);
insert into se (a, b, c, d, f) select g, g % 10, 'v' || (g % 37), ((g * 17) % 1000) / 10.0::float8, g % 3 = 0 from generate_series(1, 5000) g;
insert into se (a, b, c, d, f) select 7, 3, 'hot', 50, true from generate_series(1, 500);
insert into se (a, b, c, d, f) select null, null, null, null, null from generate_series(1, 100);
analyze se;
CREATE TABLE sk (k int, w int); INSERT INTO sk SELECT CASE WHEN g % 4 = 0 THEN 7 ELSE g % 50 END, g FROM generate_series(1, 2000) g; ANALYZE sk;
CREATE TABLE sj (k int, v int); INSERT INTO sj SELECT g % 80, g FROM generate_series(1, 800) g; INSERT INTO sj SELECT 7, -1 FROM generate_series(1, 200); ANALYZE sj;
EXPLAIN SELECT * from sk where exists (select 1 from sj where sj.k = sk.k);
EXPLAIN SELECT * from sk where not exists (select 1 from sj where sj.k = sk.k);
EXPLAIN SELECT * from sj where exists (select 1 from sk where sk.k = sj.k);
EXPLAIN SELECT * from sj where not exists (select 1 from sk where sk.k = sj.k);
EXPLAIN SELECT * from se where exists (select 1 from sk where sk.k = se.b);
EXPLAIN SELECT * from se where b in (select k from sk where w < 100);
EXPLAIN SELECT * from sk where k in (select b from se);
EXPLAIN SELECT * from sk where not exists (select 1 from se where se.a = sk.k);
EXPLAIN SELECT * from sk where exists (select 1 from sj where sj.k = sk.k and sj.v = -1);
SELECT count(*) FROM sk WHERE EXISTS (SELECT 1 FROM sj WHERE sj.k = sk.k);
DROP TABLE se; DROP TABLE sk; DROP TABLE sj;
