-- pg_lsn (PostgreSQL's regression test pg_lsn.sql, without its EXPLAIN, plus keys, indexes,
-- COPY, partitions, casts and the WAL position functions' properties: their values differ).
CREATE TABLE PG_LSN_TBL (f1 pg_lsn);
-- Largest and smallest input
INSERT INTO PG_LSN_TBL VALUES ('0/0');
INSERT INTO PG_LSN_TBL VALUES ('FFFFFFFF/FFFFFFFF');
-- Incorrect input
INSERT INTO PG_LSN_TBL VALUES ('G/0');
INSERT INTO PG_LSN_TBL VALUES ('-1/0');
INSERT INTO PG_LSN_TBL VALUES (' 0/12345678');
INSERT INTO PG_LSN_TBL VALUES ('0/12345678 ');
INSERT INTO PG_LSN_TBL VALUES ('ABCD/');
INSERT INTO PG_LSN_TBL VALUES ('/ABCD');
INSERT INTO PG_LSN_TBL VALUES ('123456789/0');
INSERT INTO PG_LSN_TBL VALUES ('0/123456789');
INSERT INTO PG_LSN_TBL VALUES ('0x1/0');
-- Min/Max aggregation
SELECT MIN(f1), MAX(f1) FROM PG_LSN_TBL;
DROP TABLE PG_LSN_TBL;
-- Operators
SELECT '0/16AE7F8' = '0/16AE7F8'::pg_lsn;
SELECT '0/16AE7F8'::pg_lsn != '0/16AE7F7';
SELECT '0/16AE7F7' < '0/16AE7F8'::pg_lsn;
SELECT '0/16AE7F8' > pg_lsn '0/16AE7F7';
SELECT '0/16AE7F7'::pg_lsn <= '0/16AE7F7', '1/0'::pg_lsn >= '0/FFFFFFFF';
SELECT '0/16AE7F7'::pg_lsn - '0/16AE7F8'::pg_lsn;
SELECT '0/16AE7F8'::pg_lsn - '0/16AE7F7'::pg_lsn;
SELECT '0/16AE7F7'::pg_lsn + 16::numeric;
SELECT 16::numeric + '0/16AE7F7'::pg_lsn;
SELECT '0/16AE7F7'::pg_lsn - 16::numeric;
SELECT 'FFFFFFFF/FFFFFFFE'::pg_lsn + 1::numeric;
SELECT 'FFFFFFFF/FFFFFFFE'::pg_lsn + 2::numeric; -- out of range error
SELECT '0/1'::pg_lsn - 1::numeric;
SELECT '0/1'::pg_lsn - 2::numeric; -- out of range error
SELECT '0/0'::pg_lsn + ('FFFFFFFF/FFFFFFFF'::pg_lsn - '0/0'::pg_lsn);
SELECT 'FFFFFFFF/FFFFFFFF'::pg_lsn - ('FFFFFFFF/FFFFFFFF'::pg_lsn - '0/0'::pg_lsn);
SELECT '0/16AE7F7'::pg_lsn + 'NaN'::numeric;
SELECT '0/16AE7F7'::pg_lsn - 'NaN'::numeric;
SELECT '0/16AE7F7'::pg_lsn + 'Infinity'::numeric;
-- fractions round once, after the sum
SELECT '0/16AE7F7'::pg_lsn + 1.5, '0/16AE7F7'::pg_lsn - 1.5, '0/16AE7F7'::pg_lsn + 0.4, '0/1'::pg_lsn - 1.4;
SELECT '0/1'::pg_lsn - 1.6;
-- the functions behind them, pg_lsn(numeric), pg_wal_lsn_diff, pg_walfile_name
SELECT pg_lsn_cmp('0/1', '0/2'), pg_lsn_cmp('0/2', '0/2'), pg_lsn_eq('0/1', '0/1'), pg_lsn_ne('0/1', '0/1'), pg_lsn_lt('0/1', '0/2'),
       pg_lsn_le('0/3', '0/2'), pg_lsn_gt('0/3', '0/2'), pg_lsn_ge('0/2', '0/2');
SELECT pg_lsn_larger('0/1', '0/2'), pg_lsn_smaller('0/1', '0/2'), pg_lsn_mi('0/2', '0/1'), pg_lsn_pli('0/1', 5), pg_lsn_mii('0/6', 5), numeric_pl_pg_lsn(5, '0/1');
SELECT pg_lsn(23783416::numeric), pg_lsn(0), pg_lsn(18446744073709551615), pg_lsn(2.5), pg_lsn('0/5');
SELECT pg_lsn(-1);
SELECT pg_lsn(18446744073709551616);
SELECT pg_lsn('NaN'::numeric);
SELECT pg_wal_lsn_diff('1/0', '0/FFFFFFFF'), pg_wal_lsn_diff('0/0', '1/0'), pg_wal_lsn_diff(NULL, '1/0');
SELECT pg_walfile_name('16/B374D848'), pg_walfile_name('0/1000000'), pg_walfile_name('0/1000001'), pg_walfile_name('1/0');
SELECT pg_typeof('0/0'::pg_lsn), pg_typeof('0/0'::pg_lsn - '0/0'), '1/2'::pg_lsn::text, '1/2'::text::pg_lsn, 'lsn ' || '1/2'::pg_lsn;
SELECT '{0/1,FF/AB,NULL}'::pg_lsn[], ARRAY['0/1'::pg_lsn, 'a/b'], pg_typeof(ARRAY['0/1'::pg_lsn]);
-- in tables: keys, indexes, order, grouping, joins, COPY, partitions
CREATE TABLE lsn_t (id int PRIMARY KEY, l pg_lsn UNIQUE, m pg_lsn);
INSERT INTO lsn_t VALUES (1, '0/1', '1/0'), (2, '0/10', '0/10'), (3, 'A/0', NULL), (4, NULL, '0/10'), (5, 'FFFFFFFF/0', '0/1');
INSERT INTO lsn_t VALUES (6, '0/10', NULL);
INSERT INTO lsn_t VALUES (6, '0/11', NULL) ON CONFLICT (id) DO UPDATE SET l = excluded.l RETURNING *;
CREATE INDEX lsn_t_m ON lsn_t (m);
CREATE INDEX lsn_t_m_hash ON lsn_t USING hash (m);
COPY lsn_t FROM stdin;
7	1/1	\N
8	\N	ABCDEF/12
\.
SELECT * FROM lsn_t ORDER BY l DESC NULLS LAST, id;
SELECT m, count(*) FROM lsn_t GROUP BY m ORDER BY m NULLS FIRST;
SELECT id FROM lsn_t WHERE m = '0/10' ORDER BY id;
SELECT id FROM lsn_t WHERE l > '0/10' AND l < 'FFFFFFFF/0' ORDER BY id;
SELECT id FROM lsn_t WHERE l BETWEEN '0/0' AND '0/FFFFFFFF' ORDER BY id;
SELECT a.id, b.id FROM lsn_t a JOIN lsn_t b ON a.l = b.m ORDER BY 1, 2;
SELECT min(l), max(l), min(m), max(m), count(DISTINCT m) FROM lsn_t;
SELECT id, l - m AS diff, m + 1 AS next FROM lsn_t WHERE l IS NOT NULL AND m IS NOT NULL ORDER BY id;
COPY (SELECT l, m FROM lsn_t ORDER BY id) TO stdout;
\d lsn_t
SELECT pg_get_indexdef('lsn_t_m_hash'::regclass);
SELECT opcname, opcmethod::regclass::text FROM pg_opclass c JOIN pg_am a ON a.oid = c.opcmethod WHERE opcintype = 'pg_lsn'::regtype AND amname = 'btree';
SELECT typname, typlen, typbyval, typcategory, typarray::regtype, typalign FROM pg_type WHERE oid = 3220;
DROP TABLE lsn_t;
CREATE TABLE lsn_p (l pg_lsn, v int) PARTITION BY HASH (l);
CREATE TABLE lsn_p0 PARTITION OF lsn_p FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE lsn_p1 PARTITION OF lsn_p FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO lsn_p SELECT (i || '/' || j)::pg_lsn, i * 10 + j FROM generate_series(1, 4) i, generate_series(1, 4) j;
SELECT tableoid::regclass, l, v FROM lsn_p ORDER BY l;
DROP TABLE lsn_p;
SELECT DISTINCT (i || '/' || j)::pg_lsn f
  FROM generate_series(1, 10) i,
       generate_series(1, 10) j,
       generate_series(1, 5) k
  WHERE i <= 10 AND j > 0 AND j <= 10
  ORDER BY f;
-- statistics and plans
CREATE TABLE lsn_s (id int, l pg_lsn);
INSERT INTO lsn_s SELECT g, pg_lsn((g % 50) * 1000000) FROM generate_series(1, 2000) g;
CREATE INDEX lsn_s_l ON lsn_s (l pg_lsn_ops);
ANALYZE lsn_s;
SELECT null_frac, n_distinct, most_common_vals IS NOT NULL AS has_mcv, histogram_bounds FROM pg_stats WHERE tablename = 'lsn_s' AND attname = 'l';
EXPLAIN (COSTS OFF) SELECT id FROM lsn_s WHERE l = '0/F4240';
SELECT count(*) FROM lsn_s WHERE l = '0/F4240';
SELECT count(*) FROM lsn_s WHERE l < '0/F4240';
SELECT l FROM lsn_s ORDER BY l DESC LIMIT 2;
SELECT pg_get_indexdef('lsn_s_l'::regclass);
DROP TABLE lsn_s;
-- the WAL position functions: PostgreSQL's values differ from Quiver's, their properties do not
SELECT pg_current_wal_lsn() >= '0/0' AS lsn, pg_current_wal_insert_lsn() >= pg_current_wal_lsn() AS insert_lsn,
       pg_current_wal_flush_lsn() <= pg_current_wal_insert_lsn() AS flush_lsn, pg_typeof(pg_current_wal_lsn());
SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0') > 0 AS positive;
SELECT pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(), pg_is_in_recovery();
CREATE TABLE lsn_w (a int);
SELECT pg_current_wal_lsn() AS before \gset
INSERT INTO lsn_w VALUES (1);
SELECT pg_current_wal_lsn() > :'before'::pg_lsn AS advanced, pg_wal_lsn_diff(pg_current_wal_lsn(), :'before') > 0 AS diff_positive;
DROP TABLE lsn_w;
