-- ORDER BY … USING < / > (transformSortClause), in every place a sort key is written, and its view text
select g from generate_series(1,3) g order by g using >;
select g from (values (1), (null), (3)) v(g) order by g using >;
select g from (values (1), (null), (3)) v(g) order by g using < nulls first;
select g from (values (1), (null), (3)) v(g) order by g using > nulls last;
select 1 as a order by a using =;
select g from generate_series(1,3) g order by g using operator(pg_catalog.>);
select g from generate_series(1,3) g union select 5 order by 1 using >;
select string_agg(g::text, ',' order by g using >), array_agg(g order by g using <) from generate_series(1,3) g;
select g, row_number() over (order by g using >) from generate_series(1,3) g order by g;
select percentile_disc(0.5) within group (order by g using >) from generate_series(1,4) g;
create view uv as select g from generate_series(1,3) g order by g using >;
select pg_get_viewdef('uv', true);
select * from uv;
drop view uv;
