-- Row comparisons as make_row_comparison_op (= every pair, <> some pair, < <= > >= in field order with NULLs as PostgreSQL), ROW IS [NOT] NULL per field, factorial
create table kp(created int, id int, v text);
insert into kp select g / 3, g, 'v' || g from generate_series(1, 30) g;
insert into kp values (null, 100, 'n'), (5, null, 'm');
select id from kp where (created, id) > (5, 16) order by created, id limit 5;
select id from kp where (created, id) >= (5, 16) order by created, id limit 5;
select id from kp where (created, id) < (1, 4) order by id;
select id from kp where (created, id) <= (1, 4) order by id;
select id from kp where (created, id) = (2, 7);
select id from kp where (created, id) <> (2, 7) and created = 2 order by id;
select (1, null) < (2, 0), (1, null) < (1, 5), (null, 1) < (2, 2), (1, 2, 3) < (1, 2, 4), (1, 'a') = (1, 'a'), row(1, 2) > row(1, 2);
select x, y from (values (1, 'a'), (2, null), (null, null)) t(x, y) where (x, y) is not null;
select x, y from (values (1, 'a'), (2, null), (null, null)) t(x, y) where (x, y) is null;
select (1, 2) = (1, 2, 3);
select (1, 'a') < (1, 2);
drop table kp;
select factorial(0), factorial(20), factorial(25);
select factorial(-1);
select factorial(40000);
