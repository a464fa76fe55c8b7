-- Equi-join row estimates with most-common values on both sides, as PostgreSQL 15's
-- eqjoinsel_inner: matching MCVs joined exactly, the rest spread over the other side's
-- distinct values outside its MCV list, the smaller of the two sides' views
CREATE TABLE se (d float8, a int, b int, c text, f bool);
insert into se (a, b, c, d, f) select g, g % 10, 'v' || (g % 37), ((g * 17) % 1000) / 10.0::float8, g % 3 = 0 from generate_series(1, 5000) g;
insert into se (a, b, c, d, f) select 7, 3, 'hot', 50, true from generate_series(1, 500);
insert into se (a, b, c, d, f) select null, null, null, null, null from generate_series(1, 100);
analyze se;
CREATE TABLE sk (k int, w int); INSERT INTO sk SELECT CASE WHEN g % 4 = 0 THEN 7 ELSE g % 50 END, g FROM generate_series(1, 2000) g; ANALYZE sk;
CREATE TABLE sj (k int, v int); INSERT INTO sj SELECT g % 80, g FROM generate_series(1, 800) g; INSERT INTO sj SELECT 7, -1 FROM generate_series(1, 200); ANALYZE sj;
EXPLAIN SELECT * from se x join se y on x.a = y.a;
EXPLAIN SELECT * from se x join se y on x.b = y.b;
EXPLAIN SELECT * from se x join se y on x.c = y.c;
EXPLAIN SELECT * from sk join sj on sk.k = sj.k;
EXPLAIN SELECT * from sk x join sk y on x.k = y.k;
EXPLAIN SELECT * from sk join se on sk.k = se.b;
EXPLAIN SELECT * from sk join se on sk.k = se.a;
EXPLAIN SELECT * from sk join sj on sk.k = sj.k where sj.v = -1;
EXPLAIN SELECT * from sk left join sj on sk.k = sj.k;
SELECT count(*) FROM sk JOIN sj ON sk.k = sj.k;
DROP TABLE se; DROP TABLE sk; DROP TABLE sj;
