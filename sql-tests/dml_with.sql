-- Data-modifying WITH queries (PostgreSQL 15) and RETURNING of DELETE … USING / UPDATE … FROM
\set QUIET off
create table dw_a(id int primary key, s text);
create table dw_b(id int primary key, n int check (n >= 0));
insert into dw_a values (1, 'x'), (2, 'y'), (3, 'z');
insert into dw_b values (1, 10), (2, 20), (4, 40);
-- RETURNING sees every FROM / USING item
begin;
delete from dw_b using dw_a where dw_a.id = dw_b.id and dw_a.id = 1 returning dw_b.id, dw_a.s, dw_a.*, dw_b.n + dw_a.id as mix;
delete from dw_b b using dw_a a where a.id = b.id and a.id = 2 returning *;
update dw_b x set n = n + 1 from dw_a where dw_a.id = x.id and x.id = 4 returning *;
rollback;
update dw_a set s = s || '!' from dw_b where dw_a.id = dw_b.id and dw_b.n = 20 returning dw_a.*, dw_b.n, dw_b.n * 2 as twice;
update dw_a set s = 'q' from dw_b where dw_a.id = dw_b.id and dw_a.id = 2 returning nope.id;
-- the main query reads the state before the WITH query's changes
with d as (delete from dw_a where id = 3 returning *) select (select count(*) from dw_a) as before, (select count(*) from d) as deleted;
select * from dw_a order by id;
with i as (insert into dw_a values (5, 'v') returning *) select * from dw_a order by id;
-- moving rows between tables
create table dw_archive(id int, s text);
with moved as (delete from dw_a where id >= 2 returning *) insert into dw_archive select * from moved;
select * from dw_a order by id;
select * from dw_archive order by id;
-- several WITH queries, one reading another's rows; the command tag is the main statement's
with d (k, v) as (delete from dw_archive where id = 5 returning *), u as (update dw_b set n = n + 1 where id in (select k - 4 from d) returning *) select d.k, u.* from d, u;
with u as (update dw_b set n = n * 2 returning id) update dw_archive set s = s || '*' where id in (select id + 1 from u) returning *;
with d as (delete from dw_archive where id = 2 returning id) delete from dw_b where id in (select id - 1 from d) returning *;
-- every data-modifying WITH query runs to completion: unreferenced, or under LIMIT 0
with i as (insert into dw_archive values (10, 'ten') returning *) select 1;
with i as (insert into dw_archive values (11, 'eleven'), (12, 'twelve') returning *) select * from i limit 0;
select * from dw_archive order by id;
-- without RETURNING: it runs, but it has no rows to read
with d as (delete from dw_archive where id = 12) select 'done';
with d as (delete from dw_archive where id = 11) select * from d;
select count(*) from dw_archive;
-- ON CONFLICT and constraints inside a WITH query
with i as (insert into dw_b values (4, 0), (7, 70) on conflict (id) do update set n = excluded.n + 1 returning *) select * from i order by id;
-- an error anywhere undoes every part of the statement
with d as (delete from dw_archive returning *) insert into dw_b values (-1, -1);
with d as (delete from dw_archive returning *) select * from dw_b where n / 0 > 1;
select count(*) from dw_archive;
begin;
insert into dw_archive values (20, 'in block');
with d as (delete from dw_archive where id = 20 returning *) select * from d;
with d as (delete from dw_archive returning *) insert into dw_a values (1, 'dup');
rollback;
select count(*) from dw_archive;
-- only at the top level
select * from (with d as (delete from dw_a returning *) select * from d) s;
insert into dw_archive with d as (delete from dw_a returning *) select * from d;
select (with d as (delete from dw_a returning *) select count(*) from d);
with x as (with d as (delete from dw_a returning *) select * from d) select * from x;
create view dw_v as with d as (delete from dw_a returning *) select * from d;
with recursive d as (delete from dw_a where id in (select id from d) returning *) select * from d;
with recursive r(n) as (select 1 union all select n + 1 from r where n < 2), d as (delete from dw_a where id in (select n from r) returning *) select * from d;
-- foreign keys are checked when every part has written
create table dw_fp(id int primary key);
create table dw_fc(id int primary key, pid int references dw_fp);
insert into dw_fp values (1), (2);
insert into dw_fc values (10, 1);
with d as (delete from dw_fp where id = 1 returning *) delete from dw_fc where pid = 1 returning *;
with c as (insert into dw_fc values (11, 3) returning *) insert into dw_fp values (3) returning *;
with c as (insert into dw_fc values (12, 4) returning *) insert into dw_fp values (5) returning *;
with d as (delete from dw_fp where id = 3 returning *) select * from d;
select * from dw_fp order by id;
select * from dw_fc order by id;
drop table dw_fc, dw_fp;
-- a WITH query the statement reads runs before it, one nobody reads after it (PostgreSQL's order)
create table dw_u(id int primary key, v text);
insert into dw_u values (1, 'old'), (2, 'two');
with d as (delete from dw_u where id = 1 returning *) insert into dw_u values (1, 'new');
with d as (delete from dw_u where id = 1 returning *) insert into dw_u select id, 'new' from d;
with d as (delete from dw_u where id = 2 returning *) delete from dw_u where id = 2 returning *;
with u as (update dw_u set v = 'upd' where id = 1 returning *), d as (delete from dw_u where id = 1 returning *) select (select count(*) from u) as updated, (select count(*) from d) as deleted;
select * from dw_u order by id;
drop table dw_u;
-- a partitioned target
create table dw_p(k int, v text) partition by range (k);
create table dw_p1 partition of dw_p for values from (0) to (10);
create table dw_p2 partition of dw_p for values from (10) to (20);
with i as (insert into dw_p values (1, 'a'), (15, 'b') returning tableoid::regclass, *) select * from i order by k;
with u as (update dw_p set k = k + 10 where k = 1 returning tableoid::regclass, *) select * from u;
select tableoid::regclass, * from dw_p order by k;
-- COPY of a statement that writes
copy (with d as (delete from dw_p where k = 15 returning *) select * from d) to stdout;
copy (insert into dw_p values (16, 'c') returning k, v) to stdout;
copy (update dw_p set v = 'd' where k = 16) to stdout;
-- CREATE TABLE AS / SELECT INTO over one (WITH NO DATA does not run it)
create table dw_c1 as with d as (delete from dw_p where k = 16 returning *) select * from d;
create table dw_c2 as with d as (delete from dw_p returning *) select * from d with no data;
with d as (insert into dw_p values (17, 'e') returning *) select k * 10 as big into dw_c3 from d;
create table dw_c4 as with d as (insert into dw_p values (18, 'f') returning *) select 1 / 0 from d;
select * from dw_c1;
select count(*) from dw_c2;
select * from dw_c3;
select * from dw_p order by k;
drop table dw_c1, dw_c2, dw_c3;
-- a read-only transaction, DECLARE, PREPARE / EXECUTE
begin read only;
with d as (delete from dw_p returning *) select * from d;
rollback;
begin;
declare c cursor for with d as (delete from dw_p returning *) select * from d;
rollback;
prepare dw_del(int) as with d as (delete from dw_p where k = $1 returning *) select * from d;
execute dw_del(11);
execute dw_del(11);
deallocate dw_del;
-- EXPLAIN
explain (analyze, costs off, timing off, summary off) with d as (insert into dw_p values (3, 'c') returning *) select * from d;
select * from dw_p order by k;
explain (costs off) with d as (delete from dw_a returning *) insert into dw_archive select * from d;
explain (costs off) with d as (delete from dw_a returning *) select count(*) from dw_a;
explain (verbose, costs off) delete from dw_b using dw_a where dw_a.id = dw_b.id returning dw_b.id, dw_a.s, dw_a.*;
explain (verbose, costs off) update dw_b set n = n + 1 from dw_a where dw_a.id = dw_b.id returning *;
explain (verbose, costs off) delete from dw_p using dw_a where dw_a.id = dw_p.k returning dw_a.*;
explain (verbose, costs off) with d as (delete from dw_a returning *) select * from d;
drop table dw_a, dw_b, dw_archive, dw_p;
