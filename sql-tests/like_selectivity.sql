-- LIKE / ILIKE / NOT LIKE selectivity as PostgreSQL 15's patternsel: an exact pattern as an
-- equality, the MCVs the pattern matches tested one by one, the histogram's inner entries
-- matched (100 or more) or the fixed prefix's range times like_selectivity of the rest
CREATE TABLE se (d float8, a int, b int, c text, f bool);
insert into se (a, b, c, d, f) select g, g % 10, 'v' || (g % 37), ((g * 17) % 1000) / 10.0::float8, g % 3 = 0 from generate_series(1, 5000) g;
insert into se (a, b, c, d, f) select 7, 3, 'hot', 50, true from generate_series(1, 500);
insert into se (a, b, c, d, f) select null, null, null, null, null from generate_series(1, 100);
analyze se;
CREATE TABLE lt (t text); INSERT INTO lt SELECT md5(g::text) FROM generate_series(1, 3000) g; ANALYZE lt;
CREATE TABLE nt (t text); INSERT INTO nt SELECT md5(g::text) FROM generate_series(1, 300) g;
explain select * from se where c like 'v1%';
explain select * from se where c like 'v1_';
explain select * from se where c like '%1%';
explain select * from se where c like 'hot';
explain select * from se where c like 'ho%';
explain select * from se where c not like 'v1%';
explain select * from se where c ilike 'V1%';
explain select * from se where c not ilike 'v1%';
explain select * from se where c ilike '%OT';
explain select * from se where c like 'v%3';
explain select * from se where c like '';
explain select * from se where c like 'zz%';
explain select * from lt where t like 'ab%';
explain select * from lt where t like '%b%';
explain select * from lt where t ilike 'ab%';
explain select * from lt where t like 'abc';
explain select * from lt where t not like 'a%';
explain select * from nt where t like 'ab%';
explain select * from nt where t like '%ab';
explain select * from nt where t ilike 'ab%';
SELECT count(*) FROM se WHERE c LIKE 'v1%';
SELECT count(*) FROM lt WHERE t ILIKE 'AB%';
DROP TABLE se; DROP TABLE lt; DROP TABLE nt;
