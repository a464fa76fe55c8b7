-- Regular-expression selectivity (~, ~*, !~, !~*) as PostgreSQL 15's patternsel: the fixed
-- prefix after ^ (regexp_fixed_prefix), regex_selectivity's factors for the rest, MCVs and
-- histogram entries tested with the pattern
CREATE TABLE se (d float8, a int, b int, c text, f bool);
insert into se (a, b, c, d, f) select g, g % 10, 'v' || (g % 37), ((g * 17) % 1000) / 10.0::float8, g % 3 = 0 from generate_series(1, 5000) g;
insert into se (a, b, c, d, f) select 7, 3, 'hot', 50, true from generate_series(1, 500);
insert into se (a, b, c, d, f) select null, null, null, null, null from generate_series(1, 100);
analyze se;
CREATE TABLE lt (t text); INSERT INTO lt SELECT md5(g::text) FROM generate_series(1, 3000) g; ANALYZE lt;
CREATE TABLE nt (t text); INSERT INTO nt SELECT md5(g::text) FROM generate_series(1, 300) g;
EXPLAIN select * from se where c ~ '^v1';
EXPLAIN select * from se where c ~ 'v1';
EXPLAIN select * from se where c ~ '^v1$';
EXPLAIN select * from se where c ~ '^v[12]';
EXPLAIN select * from se where c ~* '^V1';
EXPLAIN select * from se where c !~ '^v1';
EXPLAIN select * from se where c ~ 'o(t|x)';
EXPLAIN select * from se where c ~ '^ho.*';
EXPLAIN select * from se where c ~ '3$';
EXPLAIN select * from se where c ~ '^v1+';
EXPLAIN select * from se where c ~ '^vx?1';
EXPLAIN select * from lt where t ~ '^ab';
EXPLAIN select * from lt where t ~ 'ab';
EXPLAIN select * from lt where t ~ '^[a-f]+$';
EXPLAIN select * from lt where t ~* 'AB';
EXPLAIN select * from lt where t !~* '^a';
EXPLAIN select * from nt where t ~ '^ab';
EXPLAIN select * from nt where t ~ 'a.c';
EXPLAIN select * from nt where t ~ '^a|^b';
EXPLAIN select * from nt where t ~ '\d{3}';
SELECT count(*) FROM se WHERE c ~ '^v1';
SELECT count(*) FROM lt WHERE t ~* 'AB';
DROP TABLE se; DROP TABLE lt; DROP TABLE nt;
