-- ANALYZE gathers per-column statistics like PostgreSQL's analyze.c: with the whole table
-- sampled (up to 30000 rows) pg_stats shows the same null_frac, avg_width, n_distinct, most
-- common values and frequencies, histogram bounds and correlation.
CREATE TABLE st (i int, g int, t text, n int, b bigint, v vector(3), f float8);
INSERT INTO st SELECT i, i % 10, 'v' || (i % 3), CASE WHEN i % 2 = 0 THEN NULL ELSE i % 7 END, (1001 - i)::bigint * 1000, ('[' || (i % 4) || ',1,2]')::vector, (i % 250) / 4.0 FROM generate_series(1, 1000) i;
SELECT count(*) FROM pg_stats WHERE tablename = 'st';
ANALYZE st;
SELECT attname, null_frac, avg_width, n_distinct, most_common_vals, most_common_freqs, correlation FROM pg_stats WHERE tablename = 'st' ORDER BY attname;
SELECT attname, histogram_bounds FROM pg_stats WHERE tablename = 'st' ORDER BY attname;
SELECT relname, n_live_tup, last_analyze IS NOT NULL AS analyzed, analyze_count FROM pg_stat_user_tables WHERE relname = 'st';
-- a second ANALYZE after changes replaces the statistics
DELETE FROM st WHERE i > 500;
ANALYZE st;
SELECT attname, n_distinct, most_common_vals FROM pg_stats WHERE tablename = 'st' AND attname IN ('g', 't') ORDER BY attname;
SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'st';
-- ANALYZE may run in a transaction block, VACUUM may not
BEGIN;
ANALYZE st;
VACUUM st;
ROLLBACK;
SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'st';
ANALYZE no_such_table;
DROP TABLE st;
-- a tsvector column: statistics as ts_typanalyze keeps them (every value distinct, no MCV
-- list, histogram or correlation)
CREATE TABLE st_ts (id int, tsv tsvector);
INSERT INTO st_ts SELECT i, to_tsvector('english', 'doc ' || (i % 7) || ' cat dog ' || (i % 3)) FROM generate_series(1, 1000) i;
INSERT INTO st_ts VALUES (0, NULL);
ANALYZE st_ts;
SELECT attname, null_frac, n_distinct, most_common_vals, most_common_freqs, histogram_bounds, correlation FROM pg_stats WHERE tablename = 'st_ts' AND attname = 'tsv';
DROP TABLE st_ts;
