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
-- a semi join whose inner side is unique on the join key is an inner join, whatever that
-- side's own conditions (reduce_unique_semijoins: c.id's primary key, region = 'north' or not)
create table sju_o(id int primary key, cust int, amount numeric(10,2), created date, note text);
create table sju_c(id int primary key, name text, region text);
insert into sju_c select g, 'cust ' || g, (array['north','south','east','west'])[1 + g % 4] from generate_series(1, 500) g;
insert into sju_o select g, 1 + g % 500, (g % 1000) / 10.0, date '2024-01-01' + g % 365, case when g % 10 = 0 then null else 'n' || g end from generate_series(1, 10000) g;
create index on sju_o(cust); create index on sju_o(created); analyze sju_o; analyze sju_c;
EXPLAIN select * from sju_o where cust in (select id from sju_c where region = 'north');
EXPLAIN select * from sju_o where cust in (select id from sju_c);
EXPLAIN select * from sju_o where exists (select 1 from sju_c where sju_c.id = sju_o.cust and region = 'north');
EXPLAIN select o.id from sju_o o where o.cust in (select c.id from sju_c c where c.name like 'cust 1%');
-- not unique: the right side made unique (HashAggregate), sized and costed over the rows it groups
EXPLAIN select * from sju_c where id in (select cust from sju_o where created = date '2024-02-01');
select count(*), sum(amount) from sju_o where cust in (select id from sju_c where region = 'north');
drop table sju_o, sju_c;
