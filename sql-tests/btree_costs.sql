-- Index Scan / Index Only Scan / Bitmap Index Scan costs as PostgreSQL 15's cost_index,
-- genericcostestimate and btcostestimate (planner/btree-cost.ts): the B-tree's pages as
-- CREATE INDEX lays the keys out (leaf fill 90 %, tuple size by key width, posting lists for
-- repeated keys), the descent, correlation, `= ANY`'s scans, the boundary quals of a
-- multi-column key; pg_class.relpages / reltuples as the last CREATE INDEX / ANALYZE / VACUUM
-- recorded them (engine/relation-size.ts). Tables are sampled whole, so the statistics and
-- every estimate are PostgreSQL's.
-- never analyzed, vacuumed nor indexed: reltuples -1; CREATE INDEX records the table's pages
-- and rows, and the new index's own (the primary key, made empty, keeps its meta page alone)
create table bcs(id int primary key, v text);
insert into bcs select i, 'v' || i from generate_series(1, 300) i;
select relname, relpages, reltuples from pg_class where relname like 'bcs%' order by relname;
create index bcs_v on bcs(v);
select relname, relpages, reltuples from pg_class where relname like 'bcs%' order by relname;
-- more rows: pg_class keeps CREATE INDEX's count, the planner scales the pages now at its density
insert into bcs select i, 'v' || i from generate_series(301, 5000) i;
select relname, relpages, reltuples from pg_class where relname like 'bcs%' order by relname;
-- VACUUM records the table's pages and rows; an index without dead tuples is left as it was
vacuum bcs;
select relname, relpages, reltuples from pg_class where relname like 'bcs%' order by relname;
explain select * from bcs;
drop table bcs;
create table bc1k(id int primary key, r int, s text, g int, d date);
insert into bc1k select i, (i * 7919) % 1000, 'k' || lpad(((i * 31) % 1000)::text, 5, '0'), i % 50, date '2024-01-01' + i from generate_series(1, 1000) i;
create index bc1k_r on bc1k(r);
create index bc1k_s on bc1k(s);
create index bc1k_gr on bc1k(g, r);
create index bc1k_g on bc1k(g);
create table bc10k(id int primary key, r int, s text, g int, d date);
insert into bc10k select i, (i * 7919) % 10000, 'k' || lpad(((i * 31) % 10000)::text, 5, '0'), i % 50, date '2024-01-01' + i % 3000 from generate_series(1, 10000) i;
create index bc10k_r on bc10k(r);
create index bc10k_s on bc10k(s);
create index bc10k_gr on bc10k(g, r);
create index bc10k_g on bc10k(g);
create index bc10k_d on bc10k(d);
create table bc20k(id int, r int, t text);
insert into bc20k select i, (i * 7919) % 20000, 't' || i from generate_series(1, 20000) i;
create unique index bc20k_id on bc20k(id);
create index bc20k_rt on bc20k(r, t);
analyze bc1k;
analyze bc10k;
analyze bc20k;
select relname, relpages, reltuples from pg_class where relname like 'bc%' order by relname;
-- equality on a unique key, ranges, a text key
explain select * from bc1k where id = 42;
explain select * from bc1k where id < 100;
explain select * from bc1k where id between 200 and 300;
explain select * from bc1k where s = 'k00042';
explain select * from bc10k where id = 42;
explain select * from bc10k where id < 100;
explain select * from bc10k where r = 42;
explain select * from bc10k where r < 50;
explain select * from bc10k where s >= 'k00100' and s < 'k00200';
explain select * from bc10k where d = date '2024-03-01';
explain select * from bc20k where id between 500 and 700;
-- IN: one scan per element (num_sa_scans)
explain select * from bc1k where id in (1, 2, 3, 4, 5);
explain select * from bc10k where id in (1, 2, 3, 4, 5);
-- multi-column keys: the boundary quals are the leading columns' `=` and the next range
explain select * from bc1k where g = 3 and r < 500;
explain select * from bc10k where g = 3 and r < 500;
explain select * from bc10k where g = 3;
explain select * from bc10k where r > 10 and g = 3;
explain select * from bc20k where r = 77 and t = 't77';
explain select * from bc20k where r between 100 and 120;
-- a non-unique key with repeats (posting lists)
explain select * from bc1k where g = 7;
-- ORDER BY … LIMIT through an index, correlated (id) and not (r)
explain select * from bc1k order by id limit 10;
explain select * from bc1k order by r limit 10;
explain select * from bc10k order by id limit 10;
explain select * from bc10k order by r limit 10;
explain select * from bc10k order by d desc limit 5;
explain select * from bc20k where id > 19000 order by id limit 20;
-- index-only scans
explain select id from bc1k where id < 50;
explain select id from bc10k where id < 50;
explain select g, r from bc10k where g = 7;
explain select count(*) from bc10k where r < 3000;
explain select max(r) from bc10k;
-- more rows than the last ANALYZE saw: the pages scaled at its density, pg_class as it was
insert into bc10k select i, i, 'k' || i, i % 50, date '2024-01-01' + i % 3000 from generate_series(10001, 12000) i;
select relname, relpages, reltuples from pg_class where relname in ('bc10k', 'bc10k_pkey') order by relname;
explain select * from bc10k;
explain select * from bc10k where id between 100 and 400;
drop table bc1k, bc10k, bc20k;
