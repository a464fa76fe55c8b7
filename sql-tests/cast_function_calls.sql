-- a cast function called by name (int8(i), float8(i)) prints as a call in EXPLAIN, a type name called on one
-- argument without a cast function (text(i)) is that cast (func_get_detail's coercion); costs as PostgreSQL
create table ex2(i int, s text, n numeric, f float8);
insert into ex2 select g, 'v'||g, g, g from generate_series(1, 1000) g;
analyze ex2;
explain select * from ex2 where int8(i) = 5;
explain select * from ex2 where i::bigint = 5;
explain select * from ex2 where i::numeric = 5;
explain select * from ex2 where i::text = '5';
explain select * from ex2 where n::int = 5;
explain select * from ex2 where f::int = 5;
explain select * from ex2 where s::int = 5;
explain select * from ex2 where i::float8 = 5;
explain select * from ex2 where text(i) = '5';
explain select * from ex2 where float8(i) = 5;
drop table ex2;
