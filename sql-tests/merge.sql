-- MERGE (PostgreSQL 15): every WHEN clause form, the join, constraints, defaults, identity and
-- generated columns, transactions, partitioned targets, foreign keys, EXPLAIN, vectors.
create table t (a int primary key, b text);
create table s (a int, b text);
insert into t values (1,'x'),(2,'y'),(3,'z');
insert into s values (1,'X'),(2,'Y'),(4,'W');
explain (costs off) merge into t using s on t.a = s.a when matched then update set b = s.b when not matched then insert values (s.a, s.b);
explain (costs off) merge into t using s on t.a = s.a when matched then delete;
explain (costs off) merge into t x using (select * from s where a > 1) y on x.a = y.a when matched and y.a > 2 then delete when not matched then do nothing;
explain (analyze, costs off, timing off, summary off) merge into t using s on t.a = s.a when matched and t.a = 1 then update set b = s.b when matched then do nothing when not matched then insert values (s.a, s.b);
table t;
merge into t using s on t.a = s.a when matched and t.a=1 then update set b = s.b when matched then delete when not matched then insert values (s.a, s.b);
table t;
merge into t using s on true when matched then update set b = 'q';
merge into t using s on t.a = s.a when not matched then insert values (t.a, s.b);
merge into t using s on t.a = s.a when not matched then insert values (b, s.b);
merge into t using s on t.a = s.a when not matched and t.a > 0 then insert values (s.a, s.b);
merge into t using s on t.a = s.a when matched then delete when matched then delete;
merge into t using s t on t.a = t.a when matched then delete;
merge into t using s on t.a = s.a when matched and (select true) then delete;
merge into t using s on t.a = s.a when matched then delete returning *;
merge into t using s on t.a = s.a when not matched by target then do nothing;
with recursive w as (select 1) merge into t using s on t.a = s.a when matched then delete;
create view v as select * from t;
merge into v using s on v.a = s.a when matched then delete;
merge into nosuch using s on true when matched then delete;
merge into t using nosuch on true when matched then delete;
merge into t using s on t.zz = s.a when matched then delete;
merge into t using s on t.a = s.a when matched then update set zz = 1;
merge into t using s on t.a = s.a when matched and count(*) > 1 then delete;
drop view v;
drop table t, s;
-- constraints, defaults, identity, generated
create table tgt (id int primary key, v int not null check (v >= 0), note text default 'dflt', g int generated always as (v * 2) stored, n bigserial);
create table src (id int, v int);
insert into tgt (id, v) values (1, 10), (2, 20), (3, 30);
insert into src values (1, 11), (2, -5), (4, 40), (5, null);
merge into tgt t using src s on t.id = s.id when matched and s.v >= 0 then update set v = s.v when not matched and s.v is not null then insert (id, v) values (s.id, s.v);
select * from tgt order by id;
merge into tgt t using src s on t.id = s.id when matched then update set v = s.v;
merge into tgt t using src s on t.id = s.id when not matched then insert (id, v) values (s.id, s.v);
merge into tgt t using (values (9, 1)) s(id, v) on t.id = s.id when not matched then insert (id, v, g) values (s.id, s.v, 5);
merge into tgt t using (values (9, 1)) s(id, v) on t.id = s.id when not matched then insert (id, v, note) values (s.id, s.v, default);
merge into tgt t using (values (1, 1)) s(id, v) on t.id = s.id + 100 when not matched then insert (id, v) values (s.id, s.v);
merge into tgt t using (values (10, 1)) s(id, v) on t.id = s.id when not matched then insert default values;
merge into tgt t using (values (10, 7)) s(id, v) on t.id = s.id when not matched then insert values (s.id, s.v);
merge into tgt t using (values (11, 7)) s(id, v) on t.id = s.id when not matched then insert (id, v, id) values (s.id, s.v, 1);
merge into tgt t using (values (11, 7)) s(id, v) on t.id = s.id when not matched then insert (id, v) values (s.id, s.v, 1);
merge into tgt t using (values (11, 7)) s(id, v) on t.id = s.id when not matched then insert (id, v) values (s.id);
merge into tgt t using (values (3, 7)) s(id, v) on t.id = s.id when matched then update set g = 1;
merge into tgt t using (values (3, 7)) s(id, v) on t.id = s.id when matched then update set g = default, note = default;
merge into tgt t using (values (3, 7)) s(id, v) on t.id = s.id when matched then update set id = 1;
select * from tgt order by id;
-- first matching WHEN wins, DO NOTHING
merge into tgt t using (values (1), (2), (3), (99)) s(id) on t.id = s.id
  when matched and t.v > 25 then delete
  when matched and t.v > 15 then update set note = 'mid'
  when matched then do nothing
  when not matched and s.id > 50 then do nothing
  when not matched then insert (id, v) values (s.id, 0);
select id, v, note from tgt order by id;
-- row changed twice
merge into tgt t using (values (1), (1)) s(id) on t.id = s.id when matched then update set v = v + 1;
merge into tgt t using (values (1), (1)) s(id) on t.id = s.id when matched then do nothing;
merge into tgt t using (values (1, true), (1, false)) s(id, f) on t.id = s.id when matched and f then update set v = v + 1 when matched then do nothing;
merge into tgt t using (values (1, true), (1, false)) s(id, f) on t.id = s.id when matched and f then delete when matched then update set v = 1;
select id, v, note from tgt order by id;
-- WITH queries, subqueries
with w as (select id, v * 100 as v from src where v is not null)
merge into tgt t using w on t.id = w.id when matched then update set v = w.v when not matched then insert (id, v) values (w.id, w.v);
merge into tgt t using (select 2 as id) s on t.id = s.id when matched and exists (select 1 from src where src.id = t.id) then update set note = 'sub';
select id, v, note from tgt order by id;
merge into tgt t using src on t.id = src.id when matched then update set note = (select max(v)::text from src);
select id, v, note from tgt order by id;
-- WHEN conditions of the wrong type, unknown columns
merge into tgt t using src s on t.id = s.id when matched and 1 then delete;
merge into tgt t using src s on t.id = s.id when matched and nosuch > 0 then delete;
merge into tgt t using src s on t.id = s.id when not matched and v > 0 then insert (id, v) values (s.id, note);
merge into tgt t using src s on t.id = s.id when not matched then insert (nosuch) values (1);
merge into tgt t using src s on t.id = s.id when matched then update set v = sum(s.v);
drop table tgt, src;
-- transactions and savepoints
create table acct (id int primary key, bal int check (bal >= 0));
insert into acct values (1, 100), (2, 50);
begin;
merge into acct a using (values (1, 10), (3, 5)) s(id, amt) on a.id = s.id when matched then update set bal = bal + amt when not matched then insert values (s.id, s.amt);
savepoint sp;
merge into acct a using (values (2, -60)) s(id, amt) on a.id = s.id when matched then update set bal = bal + amt;
rollback to sp;
merge into acct a using (values (2, -20)) s(id, amt) on a.id = s.id when matched then update set bal = bal + amt;
commit;
select * from acct order by id;
merge into acct a using (values (1, 1), (4, 4), (2, -1000)) s(id, amt) on a.id = s.id when matched then update set bal = bal + amt when not matched then insert values (s.id, s.amt);
select * from acct order by id;
begin;
merge into acct a using (values (5, 5), (5, 6)) s(id, amt) on a.id = s.id when not matched then insert values (s.id, s.amt);
rollback;
select * from acct order by id;
drop table acct;
-- partitioned target: rows routed, moved on key update
create table pt (id int, region text, v int, primary key (id, region)) partition by list (region);
create table pt_eu partition of pt for values in ('eu');
create table pt_us partition of pt for values in ('us');
insert into pt values (1, 'eu', 1), (2, 'us', 2);
merge into pt using (values (1, 'eu', 10), (3, 'us', 30), (4, 'eu', 40)) s(id, region, v) on pt.id = s.id
  when matched then update set region = 'us', v = s.v
  when not matched then insert values (s.id, s.region, s.v);
select tableoid::regclass, * from pt order by id;
merge into pt using (values (2, 'asia')) s(id, region) on pt.id = s.id + 100 when not matched then insert values (s.id, s.region, 0);
merge into pt p using (select 2 as id) s on p.id = s.id when matched then delete;
select tableoid::regclass, * from pt order by id;
merge into pt_eu p using (values (4, 'us')) s(id, region) on p.id = s.id when matched then update set region = s.region;
drop table pt;
-- serial / identity values are drawn only for rows inserted
create table ser (id int generated always as identity, k int unique, s serial);
merge into ser using (values (1), (2)) v(k) on ser.k = v.k when not matched then insert (k) values (v.k);
merge into ser using (values (1), (3)) v(k) on ser.k = v.k when matched then do nothing when not matched then insert (k) values (v.k);
merge into ser using (values (4)) v(k) on ser.k = v.k when not matched then insert (id, k) values (100, v.k);
merge into ser using (values (4)) v(k) on ser.k = v.k when not matched then insert (id, k) overriding system value values (100, v.k);
merge into ser using (values (5)) v(k) on ser.k = v.k when not matched then insert (id, k) overriding user value values (100, v.k);
merge into ser using (values (1)) v(k) on ser.k = v.k when matched then update set id = 7;
select * from ser order by k;
select currval('ser_s_seq');
drop table ser;
-- foreign keys
create table parent (id int primary key);
create table child (id int primary key, pid int references parent on delete cascade);
insert into parent values (1), (2);
insert into child values (10, 1), (20, 2);
merge into child c using (values (30, 3)) s(id, pid) on c.id = s.id when not matched then insert values (s.id, s.pid);
merge into child c using (values (10, 2), (40, 1)) s(id, pid) on c.id = s.id when matched then update set pid = s.pid when not matched then insert values (s.id, s.pid);
merge into parent p using (values (1)) s(id) on p.id = s.id when matched then delete;
select * from child order by id;
drop table child, parent;
-- EXPLAIN
create table e1 (a int primary key, b text);
create table e2 (a int, b text);
explain (costs off) merge into e1 using e2 on e1.a = e2.a when matched then update set b = e2.b when not matched then insert values (e2.a, e2.b);
explain (costs off) merge into e1 x using e2 y on x.a = y.a when matched then delete;
explain (costs off) merge into e1 using e2 on e1.a = e2.a when not matched then do nothing;
drop table e1, e2;
-- MERGE into a view, a materialized view, an unknown table
create table base (a int);
create view vv as select * from base;
create materialized view mv as select * from base;
merge into vv using base on vv.a = base.a when matched then delete;
merge into mv using base on mv.a = base.a when matched then delete;
merge into nosuch using base on true when matched then delete;
merge into base using nosuch on true when matched then delete;
merge into base b using base on b.a = base.a when matched then delete;
with m as (merge into base using base b on true when matched then delete) select 1;
merge into base using (select 1 a) s on base.a = s.a when matched then update set a = 2 returning *;
merge into base using (select 1 a) s on base.a = s.a when not matched by source then delete;
merge into base using (select 1 a) s on base.a = s.a when not matched by target then insert values (1);
drop materialized view mv;
drop view vv;
drop table base;
-- vectors: MERGE writes are searchable through the index
create table docs (id int primary key, emb vector(3));
create index on docs using hnsw (emb vector_l2_ops);
insert into docs values (1, '[1,0,0]'), (2, '[0,1,0]');
merge into docs d using (values (2, '[0,0,1]'::vector), (3, '[1,1,0]'::vector), (4, '[0.9,0.1,0]'::vector)) s(id, emb) on d.id = s.id
  when matched then update set emb = s.emb
  when not matched then insert values (s.id, s.emb);
set enable_seqscan = off;
select id, emb from docs order by emb <-> '[1,0,0]' limit 3;
select id from docs order by emb <-> '[0,0,1]' limit 1;
reset enable_seqscan;
merge into docs d using (values (1, '[1,2]'::vector)) s(id, emb) on d.id = s.id when matched then update set emb = s.emb;
drop table docs;
create table t6 (a int, b int);
copy (merge into t6 using t6 s on true when matched then delete) to stdout;
prepare pm(int) as merge into t6 using (select $1 as a) s on t6.a = s.a when not matched then insert values (s.a, 0);
execute pm(1);
execute pm(1);
execute pm(2);
select * from t6 order by a;
declare c cursor for merge into t6 using t6 s on true when matched then delete;
merge into t6 using (select 1 as a) s on t6.a = s.a when matched then update set b = t6.b + 1, b = 2;
merge into t6 using (select 1 as a) s on t6.a = s.a when matched then update set t6.b = 2;
merge into t6 as x using (select 1 as a) s on x.a = s.a when matched then update set b = x.b + 10;
merge into t6 using t6 on true when matched then delete;
merge into t6 using (select 1 as a) s on t6.a = s.a when matched then update set b = s.a + 5 when not matched then insert (a) values (s.a);
merge into t6 t using (select 7 as a, 8 as b) s on t.a = s.a when not matched then insert (b, a) values (s.b, s.a);
merge into t6 t using (select 7 as a, 8 as b) s on t.a = s.a when matched then update set b = (select count(*) from t6);
merge into t6 t using (select 7 as a, 8 as b) s on t.a = s.a when matched then delete when not matched then insert values (1,1) when matched then do nothing;
select * from t6 order by a;
merge into only t6 using (select 1 a) s on t6.a = s.a when matched then delete;
drop table t6;
-- partitioned targets in EXPLAIN, structured EXPLAIN, temporary tables, a MERGE rolled back
create table pt (id int, region text, v int) partition by list (region);
create table pt_eu partition of pt for values in ('eu');
create table pt_us partition of pt for values in ('us');
create table src7 (id int, region text);
explain (costs off) merge into pt using src7 s on pt.id = s.id when matched then update set v = 1 when not matched then insert values (s.id, s.region, 0);
explain (costs off) merge into pt using src7 s on pt.id = s.id and pt.region = 'eu' when matched then delete;
explain (format json, costs off) merge into src7 using pt on pt.id = src7.id when matched then delete;
create temp table tt (a int);
merge into tt using (select 1 a) s on tt.a = s.a when not matched then insert values (s.a);
merge into pg_temp.tt using (select 1 a) s on tt.a = s.a when matched then update set a = 5;
table tt;
begin;
merge into tt using (select 5 a) s on tt.a = s.a when matched then delete;
rollback;
table tt;
drop table pt, src7, tt;
-- read-only transactions, conditions on source and target columns
create table t9 (a int);
begin read only;
merge into t9 using (select 1 a) s on t9.a = s.a when not matched then insert values (s.a);
rollback;
merge into t9 using (select 1 a) s on t9.a = s.a when not matched and s.a > 0 then insert values (s.a) when not matched then do nothing;
merge into t9 using (select 1 a, 2 b) s on t9.a = s.a when matched and b = 2 then update set a = b;
table t9;
merge into t9 using (select 1 a, 2 b) s on t9.a = s.b when matched and t9.a > 1 then update set a = 10 when matched and t9.a < 1 then delete;
table t9;
drop table t9;
