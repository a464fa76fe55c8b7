-- Set-returning functions in the select list run above the aggregation and the window functions (a ProjectSet), as in PostgreSQL
select unnest(array[1,2]) u, row_number() over ();
select unnest(array_agg(x)) from generate_series(1,3) x;
select x, unnest(array[x, x*10]), count(*) from generate_series(1,2) x group by x order by 1,2;
select unnest(array[x]), sum(x) from generate_series(1,2) x;
select unnest(array[1,2]), generate_series(1,3) ;
select unnest(array[row_number() over ()]);
select count(*), unnest(array[1,2]);
select unnest('{[1,2)}'::int4multirange), count(*);
select generate_series(1, count(*)) from generate_series(1,3);
select unnest(array_agg(x order by x desc)) as v, count(*) over () from generate_series(1,3) x;
select x % 2 as k, unnest(array_agg(x)) from generate_series(1,5) x group by 1 order by 1, 2;
select x % 2 as k, generate_series(1, max(x)) g from generate_series(1,3) x group by 1 order by 1, 2 desc;
select distinct unnest(array[x, 1]) from generate_series(1,3) x order by 1;
select unnest(array[1,2]) u order by u desc;
select sum(x), unnest(array[1,2]) from generate_series(1,3) x having sum(x) > 1;
select unnest(array[sum(x), min(x)]) from generate_series(1,3) x;
select x % 2 as k, unnest(array_agg(x order by x)) from generate_series(1,5) x group by 1 order by 1, 2;
select unnest(array[1,2]) u, rank() over (order by 1) from generate_series(1,2);
explain (costs off) select count(*), unnest(array[1,2]);
explain (costs off) select x, unnest(array[x,1]) from generate_series(1,5) x order by 1, 2;
-- nested calls run in ProjectSets of their own; calls at one depth advance in step
select unnest(regexp_matches('abcb','(b)', 'g'));
select generate_series(1, generate_series(1,3));
select x, generate_series(1, generate_series(1,2)) g, unnest(array[10,20,30]) from (values (1)) v(x);
explain (costs off) select generate_series(1, generate_series(1,3));
select unnest(array[unnest(array[1,2])]);
-- a call a window's ORDER BY or GROUP BY uses runs below them
select row_number() over (order by generate_series(1,2));
select generate_series(1,3) g, count(*) from generate_series(1,2) group by 1 order by 1;
select generate_series(1,2) order by generate_series(1,2) desc;
-- where PostgreSQL refuses them
select sum(x) from generate_series(1, 3) x where unnest(array[1]) = 1;
select count(unnest(array[1,2]));
select case when true then generate_series(1,2) end;
select coalesce(generate_series(1,2), 0);
select sum(x) from generate_series(1,3) x having generate_series(1,2) > 0;
select sum(generate_series(1,2)) over ();
