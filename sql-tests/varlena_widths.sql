-- avg_width and relpages of arrays (1-D, 2-D, empty, with NULLs; int, text, numeric, float8, bool elements),
-- jsonb (objects, nested containers, numbers, scalars at the root) and bytea as PostgreSQL stores them; ANALYZE in
-- a transaction block counts the block's own inserted rows
create table w1(a int[], t text[], n numeric[], j jsonb, b bytea, m int[], e int[], big jsonb, f float8[], bo bool[]);
insert into w1 select array[g, g+1], array['x'||g, null, 'yy'], array[g/7.0, 1], jsonb_build_object('k', g, 'arr', jsonb_build_array(g, 'a', true, null), 'nested', jsonb_build_object('z', 1.5)), decode(repeat('ab', g % 50), 'hex'), array[[g, 2], [3, 4]], '{}', (select jsonb_agg(x) from generate_series(1, g % 20) x), array[g::float8, null], array[true, false, null] from generate_series(1, 1000) g;
insert into w1(j) values ('5'), ('"str"'), ('[]'), ('{"b":1,"a":2,"aa":[1,{"c":"d"}]}'), ('null'), ('true'), ('1e3'), ('-0.5');
analyze w1;
select attname, avg_width from pg_stats where tablename = 'w1' order by attname;
drop table w1;
create table w2(a int[]); insert into w2 select array[g, g+1] from generate_series(1, 3000) g;
create table w3(t text[]); insert into w3 select array['x'||g, null, 'yy'] from generate_series(1, 3000) g;
create table w4(j jsonb); insert into w4 select jsonb_build_object('k', g, 'arr', jsonb_build_array(g, 'a', true, null), 'nested', jsonb_build_object('z', 1.5)) from generate_series(1, 3000) g;
create table w5(big jsonb); insert into w5 select (select jsonb_agg(x) from generate_series(1, g % 20) x) from generate_series(1, 3000) g;
create table w6(f float8[], bo bool[]); insert into w6 select array[g::float8, null], array[true, false, null] from generate_series(1, 3000) g;
create table w7(m int[], e int[], b bytea); insert into w7 select array[[g, 2], [3, 4]], '{}', decode(repeat('ab', g % 50), 'hex') from generate_series(1, 3000) g;
create table w8(n numeric[]); insert into w8 select array[g/7.0, 1] from generate_series(1, 3000) g;
analyze w2, w3, w4, w5, w6, w7, w8;
select relname, relpages from pg_class where relname ~ '^w[2-8]$' order by 1;
drop table w2, w3, w4, w5, w6, w7, w8;
create table w9(a int); insert into w9 values (1);
begin; insert into w9 select g from generate_series(1, 3000) g; analyze w9; commit;
select relpages, reltuples from pg_class where relname = 'w9';
drop table w9;
