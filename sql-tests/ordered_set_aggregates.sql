-- Ordered-set and hypothetical-set aggregates (WITHIN GROUP)
SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY x) FROM (VALUES (1),(2),(3),(4)) t(x);
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM (VALUES (1),(2),(3),(4)) t(x);
CREATE TABLE osa_t (g int, x int, f float8, n numeric, s text, d date, iv interval);
INSERT INTO osa_t VALUES
  (1, 10, 1.5, 1.25, 'pear', '2024-01-03', '1 day'),
  (1, 20, 2.5, 2.50, 'apple', '2024-01-01', '2 days'),
  (1, 20, NULL, NULL, NULL, NULL, NULL),
  (1, NULL, 4.5, 4.75, 'fig', '2024-01-05', '3 hours'),
  (2, 5, -1, 0.5, 'kiwi', '2023-12-31', '1 month'),
  (2, 7, 3, 7.125, 'kiwi', '2024-02-29', '10 minutes'),
  (2, 9, 8, 9.5, 'lime', '2024-03-01', '1 year'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL);
SELECT g, percentile_disc(0.5) WITHIN GROUP (ORDER BY x) AS x50,
       percentile_cont(0.25) WITHIN GROUP (ORDER BY x) AS xc25,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY f) AS f50,
       percentile_disc(0.5) WITHIN GROUP (ORDER BY n) AS n50,
       percentile_disc(0.5) WITHIN GROUP (ORDER BY s) AS s50,
       percentile_disc(0.5) WITHIN GROUP (ORDER BY d) AS d50,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY iv) AS iv50
  FROM osa_t GROUP BY g ORDER BY g;
SELECT g, percentile_disc(0) WITHIN GROUP (ORDER BY x), percentile_disc(1) WITHIN GROUP (ORDER BY x),
       percentile_cont(1) WITHIN GROUP (ORDER BY x), percentile_disc(0.5) WITHIN GROUP (ORDER BY x DESC)
  FROM osa_t GROUP BY g ORDER BY g;
SELECT percentile_cont(ARRAY[0.5, 0, 1, NULL, 0.25]) WITHIN GROUP (ORDER BY f) FROM osa_t;
SELECT percentile_disc(ARRAY[0.1, 0.9]) WITHIN GROUP (ORDER BY s) FROM osa_t;
SELECT percentile_cont(ARRAY[0.5]) WITHIN GROUP (ORDER BY iv) FROM osa_t;
SELECT percentile_disc(NULL) WITHIN GROUP (ORDER BY x) FROM osa_t;
SELECT g, mode() WITHIN GROUP (ORDER BY x), mode() WITHIN GROUP (ORDER BY s), mode() WITHIN GROUP (ORDER BY x DESC)
  FROM osa_t GROUP BY g ORDER BY g;
SELECT g, percentile_disc(0.5) WITHIN GROUP (ORDER BY x) FILTER (WHERE x > 5) FROM osa_t GROUP BY g ORDER BY g;
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM osa_t WHERE false;
SELECT pg_typeof(percentile_disc(0.5) WITHIN GROUP (ORDER BY n)), pg_typeof(percentile_cont(0.5) WITHIN GROUP (ORDER BY n)),
       pg_typeof(percentile_disc(ARRAY[0.5]) WITHIN GROUP (ORDER BY d)), pg_typeof(mode() WITHIN GROUP (ORDER BY s))
  FROM osa_t;
-- hypothetical-set aggregates
SELECT g, rank(10) WITHIN GROUP (ORDER BY x), dense_rank(20) WITHIN GROUP (ORDER BY x),
       percent_rank(20) WITHIN GROUP (ORDER BY x), cume_dist(20) WITHIN GROUP (ORDER BY x)
  FROM osa_t GROUP BY g ORDER BY g;
SELECT rank(7) WITHIN GROUP (ORDER BY x DESC), rank(NULL) WITHIN GROUP (ORDER BY x),
       rank(NULL) WITHIN GROUP (ORDER BY x NULLS FIRST), cume_dist(NULL) WITHIN GROUP (ORDER BY x)
  FROM osa_t;
SELECT rank(1, 'kiwi') WITHIN GROUP (ORDER BY g, s), dense_rank('lime') WITHIN GROUP (ORDER BY s) FROM osa_t;
SELECT rank(3) WITHIN GROUP (ORDER BY x), percent_rank(3) WITHIN GROUP (ORDER BY x), cume_dist(3) WITHIN GROUP (ORDER BY x)
  FROM osa_t WHERE false;
SELECT rank(15) WITHIN GROUP (ORDER BY x) FILTER (WHERE g = 1) FROM osa_t;
-- errors
SELECT percentile_disc(1.5) WITHIN GROUP (ORDER BY x) FROM osa_t;
SELECT percentile_cont(-0.5) WITHIN GROUP (ORDER BY x) FROM osa_t WHERE false;
SELECT percentile_cont(ARRAY[0.5, 2]) WITHIN GROUP (ORDER BY x) FROM osa_t;
SELECT g, percentile_disc(7) WITHIN GROUP (ORDER BY x) FROM osa_t WHERE false GROUP BY g;
SELECT sum(x) WITHIN GROUP (ORDER BY x) FROM osa_t;
SELECT percentile_disc(0.5) FROM osa_t;
SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY x) OVER () FROM osa_t;
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s) FROM osa_t;
SELECT rank(1, 2) WITHIN GROUP (ORDER BY x) FROM osa_t;
SELECT mode(1) WITHIN GROUP (ORDER BY x) FROM osa_t;
SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY x) FROM osa_t GROUP BY percentile_disc(0.5) WITHIN GROUP (ORDER BY x);
SELECT percentile_disc(x) WITHIN GROUP (ORDER BY x) FROM osa_t;
SELECT g, percentile_disc(g / 4.0) WITHIN GROUP (ORDER BY x) FROM osa_t GROUP BY g ORDER BY g;
SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY x, x) FROM osa_t;
SELECT rank(1) WITHIN GROUP (ORDER BY s) FROM osa_t;
SELECT count(*) WITHIN GROUP (ORDER BY x) FROM osa_t;
SELECT sum(x) FILTER (WHERE percentile_disc(0.5) WITHIN GROUP (ORDER BY x) > 0) FROM osa_t;
SELECT percentile_cont('NaN'::float8) WITHIN GROUP (ORDER BY x) FROM osa_t;
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY n) FROM osa_t;
SELECT percentile_disc('0.5') WITHIN GROUP (ORDER BY s) FROM osa_t;
DROP TABLE osa_t;
