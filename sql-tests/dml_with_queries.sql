-- WITH queries (SELECT ones) on INSERT, UPDATE and DELETE, visible in their SELECT, FROM / USING, WHERE and subqueries
create table w1(a int, b text);
with x as (select 1 a) insert into w1 select a, 'x' from x returning a, b;
with x as (select 2 a), y as (select a + 1 b from x) insert into w1 select b, 'y' from y;
with x as (select 3 v) update w1 set a = a * 10 where a in (select v from x) returning a;
with x as (select 1 v) delete from w1 using x where w1.a = x.v returning a;
with recursive r(n) as (select 1 union all select n + 1 from r where n < 3) insert into w1 select n, 'r' || n from r;
with m as (select max(a) top from w1) update w1 set b = 'top' from m where w1.a = m.top;
with x as (select 5 a) insert into w1 values ((select a from x), 'v');
with x as materialized (select 2 a) delete from w1 where a = (select a from x);
select * from w1 order by a;
with x as (select 1) insert into w1 select * from nope;
drop table w1;
