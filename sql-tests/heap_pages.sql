-- The heap pages and widths ANALYZE records are PostgreSQL's: tuple headers and NULL bitmaps,
-- per-type alignment, 1-byte headers on short values, a numeric's base-10000 digits, vectors
-- over 2 kB stored out of line (avg_width the 18-byte TOAST pointer)
create table hp1(id int, cust int, amount numeric(10,2), created date, note text);
insert into hp1 select g, 1 + g % 500, (g % 1000) / 10.0, date '2024-01-01' + g % 365, case when g % 10 = 0 then null else 'n' || g end from generate_series(1, 10000) g;
create table hp2(id int, v vector(784));
insert into hp2 select g, (select array_agg(((g * 7 + k * 13) % 97)::real) from generate_series(1, 784) k)::vector from generate_series(1, 2000) g;
create table hp3(a bigint, b smallint, c bool, d timestamptz, e float8);
insert into hp3 select g, g % 100, g % 2 = 0, timestamptz '2024-01-01' + g * interval '1 minute', g / 3.0 from generate_series(1, 5000) g;
analyze hp1; analyze hp2; analyze hp3;
select relname, relpages from pg_class where relname in ('hp1', 'hp2', 'hp3') order by relname;
select tablename, attname, avg_width from pg_stats where tablename in ('hp1', 'hp2', 'hp3') order by tablename, attname;
explain select * from hp1;
explain select * from hp2;
explain select * from hp3 where b = 7;
drop table hp1, hp2, hp3;
