-- integer constants in EXPLAIN as ruleutils' get_const_expr prints them: an int4 bare, an int8 /
-- int2 one (a literal past int4, a cast, a custom plan's parameter) as a typed literal
create table bq(big bigint, s smallint, i int);
explain (costs off) select * from bq where big < 5;
explain (costs off) select * from bq where big < 5::bigint;
explain (costs off) select * from bq where big < 50000000000;
explain (costs off) select * from bq where big < -50000000000;
explain (costs off) select * from bq where i < 50000000000;
explain (costs off) select * from bq where s < 5;
explain (costs off) select * from bq where s < 5::smallint;
explain (costs off) select * from bq where i = 5::smallint;
explain (costs off) select * from bq where big in (1, 50000000000);
explain (costs off) select * from bq where big = any(array[1,2]);
explain (costs off) select * from bq where i + 50000000000 > 0;
explain (costs off) select 50000000000 + i from bq;
prepare pq(bigint) as select * from bq where big < $1;
explain (costs off) execute pq(7);
drop table bq;
create table bq2(id bigint primary key, v int);
explain (costs off) select * from bq2 where id = 5;
explain (costs off) select * from bq2 where id = 5::bigint;
explain (costs off) select * from bq2 where id = 5::smallint;
explain (costs off) select * from bq2 where id = '5';
explain (costs off) select * from bq2 where id = 5000000000;
explain (costs off) select * from bq2 order by id limit 3;
drop table bq2;
