-- an aggregate's FILTER (WHERE …) over a window (it was ignored)
SELECT g, sum(g) FILTER (WHERE g > 2) OVER (), count(*) FILTER (WHERE g > 3) OVER (ORDER BY g),
  avg(g) FILTER (WHERE g % 2 = 0) OVER (ORDER BY g ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING),
  string_agg(g::text, ',') FILTER (WHERE g <> 3) OVER (), max(g) FILTER (WHERE false) OVER ()
FROM generate_series(1, 5) g;
SELECT row_number() FILTER (WHERE g > 1) OVER () FROM generate_series(1, 3) g;
CREATE VIEW window_filter_v AS SELECT g, sum(g) FILTER (WHERE g > 2) OVER w, count(*) FILTER (WHERE g > 3) OVER (ORDER BY g)
FROM generate_series(1, 5) g WINDOW w AS ();
SELECT pg_get_viewdef('window_filter_v', true);
SELECT pg_get_viewdef('window_filter_v');
SELECT * FROM window_filter_v;
DROP VIEW window_filter_v;
