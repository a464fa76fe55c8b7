-- pg_get_partition_constraintdef and psql's "Partition constraint:" line: list (with NULL
-- and DEFAULT), range (MINVALUE / MAXVALUE, several key columns, DEFAULT), hash, numeric
-- and text keys, and a sub-partition (its parent's constraint first).
CREATE TABLE pc_l (k int, t text) PARTITION BY LIST (k);
CREATE TABLE pc_l1 PARTITION OF pc_l FOR VALUES IN (1);
CREATE TABLE pc_l2 PARTITION OF pc_l FOR VALUES IN (2, 3, -4);
CREATE TABLE pc_ln PARTITION OF pc_l FOR VALUES IN (NULL, 5);
CREATE TABLE pc_ld PARTITION OF pc_l DEFAULT;
CREATE TABLE pc_t (k text) PARTITION BY LIST (k);
CREATE TABLE pc_t1 PARTITION OF pc_t FOR VALUES IN ('a', 'b''c');
CREATE TABLE pc_r (k bigint, d date) PARTITION BY RANGE (k);
CREATE TABLE pc_r1 PARTITION OF pc_r FOR VALUES FROM (MINVALUE) TO (10);
CREATE TABLE pc_r2 PARTITION OF pc_r FOR VALUES FROM (10) TO (20);
CREATE TABLE pc_rd PARTITION OF pc_r DEFAULT;
CREATE TABLE pc_r2c (a int, b int) PARTITION BY RANGE (a, b);
CREATE TABLE pc_r2c1 PARTITION OF pc_r2c FOR VALUES FROM (1, 1) TO (1, 10);
CREATE TABLE pc_r2c2 PARTITION OF pc_r2c FOR VALUES FROM (2, MINVALUE) TO (3, MAXVALUE);
CREATE TABLE pc_r2c3 PARTITION OF pc_r2c FOR VALUES FROM (5, 5) TO (7, 7);
CREATE TABLE pc_r2c4 PARTITION OF pc_r2c FOR VALUES FROM (8, 8) TO (MAXVALUE, MAXVALUE);
CREATE TABLE pc_rdate (d date) PARTITION BY RANGE (d);
CREATE TABLE pc_rdate1 PARTITION OF pc_rdate FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE pc_h (k int) PARTITION BY HASH (k);
CREATE TABLE pc_h0 PARTITION OF pc_h FOR VALUES WITH (MODULUS 4, REMAINDER 1);
CREATE TABLE pc_n (k numeric) PARTITION BY LIST (k);
CREATE TABLE pc_n1 PARTITION OF pc_n FOR VALUES IN (1.5, 2);
CREATE TABLE pc_sub (a int, b int) PARTITION BY LIST (a);
CREATE TABLE pc_sub1 PARTITION OF pc_sub FOR VALUES IN (1) PARTITION BY RANGE (b);
CREATE TABLE pc_sub1a PARTITION OF pc_sub1 FOR VALUES FROM (0) TO (100);
SELECT relname, pg_get_partition_constraintdef(oid) FROM pg_class WHERE relname LIKE 'pc\_%' AND relname NOT LIKE 'pc\_h%' ORDER BY 1;
SELECT pg_get_partition_constraintdef('pc_h0'::regclass) LIKE 'satisfies_hash_partition(''%''::oid, 4, 1, k)' AS hash_form;
\d+ pc_ld
\d+ pc_r2c3
\d pc_sub1a
DROP TABLE pc_l, pc_t, pc_r, pc_r2c, pc_rdate, pc_h, pc_n, pc_sub;
