-- A join's own alias: (a JOIN b …) AS x [(c1, …)] names the join's output columns (a USING
-- join's merged ones first) and hides a and b; JOIN … USING (…) AS u names the merged columns
create table ja_a(i int, j int, s text); create table ja_b(i int, k text, s text); create table ja_c(i bigint, s text, z int);
insert into ja_a values (1,10,'x'),(2,20,'y'),(3,30,'z'); insert into ja_b values (1,'a','x'),(3,'c','q'),(4,'d','w'); insert into ja_c values (1,'x',100),(4,'w',400),(5,'v',500);
select x.* from (ja_a join ja_b using (i)) x order by 1;
select * from (ja_a join ja_b using (i)) x order by 1;
select x.j, x.k, i from (ja_a join ja_b using (i)) x order by 1;
select x.i, x.j from (ja_a join ja_b using (i)) x where x.j > 10;
select x.i, count(*) from (ja_a left join ja_b using (i)) x group by x.i order by x.i;
select x.i, x.j, x.k from (ja_a full join ja_b using (i)) x order by x.i;
select x from (ja_a join ja_b using (i)) x order by 1;
select x.* from (ja_a natural join ja_b) x order by 1;
select x.* from (ja_a join ja_b on ja_a.i = ja_b.i) x order by 1;
select x.j, x.k from (ja_a join ja_b on ja_a.i = ja_b.i) x order by 1;
select count(*) from (ja_a cross join ja_b) x;
-- column aliases: the first columns renamed, fewer than the join's columns allowed
select * from (ja_a join ja_b using (i)) x(a, b) order by 1;
select x.a, x.b, x.k, a + b from (ja_a join ja_b using (i)) x(a, b) order by 1;
select x.i, x.k from (ja_a join ja_b on ja_a.i = ja_b.i) x(a) order by 1;
select * from (ja_a join ja_b using (i)) x(a, b, c, d, e, f);
-- the alias hides the joined tables, qualified and unqualified
select ja_a.j from (ja_a join ja_b using (i)) x;
select ja_a.* from (ja_a join ja_b using (i)) x;
select x.i from (ja_a join ja_b using (i)) x where ja_a.i = 1;
select i from (ja_a join ja_b using (i)) x(a, b);
select x.i, x.k from (ja_a join ja_b using (i)) x(a, b);
select x.s from (ja_a join ja_b using (i)) x;
select x.i from (ja_a join ja_b on ja_a.i = ja_b.i) x;
select x.nosuch from (ja_a join ja_b using (i)) x;
-- so the joined tables' names may be used again
select * from (ja_a join ja_b using (i)) ja_a order by 1;
select x.i, ja_a.j from (ja_a join ja_b using (i)) x, ja_a where x.i = ja_a.i order by 1;
select * from (ja_a join ja_b using (i)) x, (ja_a join ja_b using (i)) x;
-- JOIN … USING (…) AS u: u.i is the merged column; the tables stay visible
select * from ja_a join ja_b using (i) as u order by 1;
select u.i, u.* from ja_a join ja_b using (i) as u order by 1;
select ja_a.j, ja_b.k, u.i from ja_a join ja_b using (i) as u order by 1;
select u.i, ja_a.i, ja_b.i from ja_a full join ja_b using (i) as u order by 1;
select u.j from ja_a join ja_b using (i) as u;
select * from ja_a join ja_b using (i) as ja_a;
select u.i from (ja_a join ja_b using (i) as u) x;
select * from (ja_a join ja_b using (i) as u) x order by 1;
-- nested, and on both sides of another join
select * from ((ja_a join ja_b using (i)) x join ja_c using (i)) y order by 1;
select y.* from ((ja_a join ja_b using (i)) x join ja_c using (i)) y order by 1;
select x.i from ((ja_a join ja_b using (i)) x join ja_c using (i)) y;
select y.x from ((ja_a join ja_b using (i)) x join ja_c using (i)) y;
select * from (ja_a join ja_b using (i)) x join (ja_a join ja_c using (i)) y on x.i = y.i order by 1;
select * from (ja_a join ja_b using (i)) x join (ja_a join ja_c using (i)) y using (i) order by 1;
select x.k, y.z from (ja_a join ja_b using (i)) x left join (ja_a join ja_c using (i)) y on x.i = y.i order by 1;
select * from (ja_a join ja_b using (i)) x full join (ja_b join ja_c using (s)) y(ms, bi) on x.i = y.bi order by 1, 6;
-- LATERAL and correlated subqueries see the alias, not the tables
select * from (ja_a join ja_b using (i)) x, lateral (select x.j + 1 as jj) l order by 1;
select * from (ja_a full join ja_b using (i)) x, lateral (select x.i * 2 as ii) l order by 1;
select * from (ja_a join ja_b using (i)) x, lateral (select ja_a.j) l;
select x.i, (select count(*) from ja_c where ja_c.i >= x.i) from (ja_a full join ja_b using (i)) x order by 1;
select x.i from (ja_a join ja_b using (i)) x where exists (select 1 from ja_c where ja_c.i = x.i);
explain (verbose, costs off) select x.j, x.k from (ja_a join ja_b using (i)) x where x.i > 1;
explain (verbose, costs off) select x.i2, x.k from (ja_a full join ja_b using (i)) x(i2) where x.i2 > 1;
-- a USING join's inputs' columns are not visible unqualified, tableoid included
select i from ja_a join ja_b using (i), ja_c;
select tableoid from ja_a join ja_b using (i);
select ja_a.tableoid = 'ja_a'::regclass as own from ja_a join ja_b using (i);
select x.tableoid from (ja_a join ja_b using (i)) x;
select x.nm from (ja_a join ja_b using (i)) x;
-- a WHERE over an outer join is its Filter, not a Join Filter
explain (costs off) select * from ja_a left join ja_b using (i) where ja_b.k is null or ja_a.j > 1;
-- views over aliased joins
create view ja_v1 as select x.i, x.j, x.k from (ja_a join ja_b using (i)) x;
create view ja_v2 as select * from (ja_a left join ja_b on ja_a.i = ja_b.i) x(a, b, c, d);
create view ja_v3 as select u.i, ja_a.j, ja_b.k from ja_a join ja_b using (i) as u;
select * from ja_v1 order by 1;
select * from ja_v2 order by 1;
select * from ja_v3 order by 1;
select v.k, ja_c.z from ja_v1 v join ja_c using (i) order by 1;
drop view ja_v1, ja_v2, ja_v3;
drop table ja_a, ja_b, ja_c;
