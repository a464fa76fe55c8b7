-- Index Only Scan: a B-tree scan whose every column read is a key column of its index
-- (PostgreSQL's check_index_only), costed with the table's all-visible fraction (cost_index's
-- allvisfrac), so VACUUM turns a Bitmap Heap Scan into an Index Only Scan. The rows are
-- written in one statement, as sealed segments; Quiver's all-visible rows are those VACUUM
-- finds sealed without a tombstone (planner/index-only.ts).
CREATE TABLE ios_t (id int PRIMARY KEY, k int, pad text);
CREATE INDEX ios_t_k ON ios_t (k);
CREATE TABLE ios_pair (a int, b int, w int, PRIMARY KEY (a, b));
CREATE TABLE ios_small (id int PRIMARY KEY, ref int);
INSERT INTO ios_t SELECT g, (g * 7919) % 10000, 'pad' || g FROM generate_series(1, 100000) g;
INSERT INTO ios_pair SELECT g / 10, g % 10, g FROM generate_series(0, 9999) g;
INSERT INTO ios_small SELECT g, g * 997 FROM generate_series(1, 20) g;
ANALYZE ios_t;
ANALYZE ios_pair;
ANALYZE ios_small;
-- analyzed, not vacuumed: no page all-visible
SELECT relpages > 0 AS has_pages, relallvisible FROM pg_class WHERE relname = 'ios_t';
SET enable_mergejoin = off;
SET enable_memoize = off;
-- the key alone: index only; another column read: an Index Scan
EXPLAIN (COSTS OFF) SELECT id FROM ios_t WHERE id BETWEEN 10 AND 20;
EXPLAIN (COSTS OFF) SELECT id, k FROM ios_t WHERE id BETWEEN 10 AND 20;
EXPLAIN (COSTS OFF) SELECT count(*) FROM ios_t WHERE id > 50000;
EXPLAIN (COSTS OFF) SELECT id FROM ios_t WHERE id = 77;
EXPLAIN (COSTS OFF) SELECT pad FROM ios_t WHERE id = 77;
EXPLAIN (COSTS OFF) SELECT id FROM ios_t ORDER BY id DESC LIMIT 3;
EXPLAIN (COSTS OFF) SELECT max(id), min(id) FROM ios_t;
-- a two-column key: both columns, or the first alone
EXPLAIN (COSTS OFF) SELECT a, b FROM ios_pair WHERE a = 7;
EXPLAIN (COSTS OFF) SELECT b FROM ios_pair WHERE a = 7 AND b > 4;
EXPLAIN (COSTS OFF) SELECT w FROM ios_pair WHERE a = 7;
-- enable_indexonlyscan = off: the same path as an Index Scan
SET enable_indexonlyscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM ios_t WHERE id BETWEEN 10 AND 20;
EXPLAIN (COSTS OFF) SELECT max(id) FROM ios_t;
RESET enable_indexonlyscan;
-- the inner side of a parameterized nested loop
EXPLAIN (COSTS OFF) SELECT count(*) FROM ios_small s JOIN ios_t t ON t.id = s.ref;
-- not vacuumed: a wide range of an uncorrelated column is a Bitmap Heap Scan
EXPLAIN (COSTS OFF) SELECT count(*) FROM ios_t WHERE k < 3000;
SELECT id FROM ios_t WHERE id BETWEEN 10 AND 20;
SELECT count(*) FROM ios_t WHERE id > 50000;
SELECT count(*) FROM ios_t WHERE k < 3000;
SELECT id FROM ios_t ORDER BY id DESC LIMIT 3;
SELECT max(id), min(id) FROM ios_t;
SELECT a, b FROM ios_pair WHERE a = 7 AND b > 6;
SELECT count(*) FROM ios_small s JOIN ios_t t ON t.id = s.ref;
-- vacuumed: every row all-visible, the same range is cheaper through the index alone
VACUUM ios_t;
SELECT relpages > 0 AS has_pages, relallvisible = relpages AS all_visible FROM pg_class WHERE relname = 'ios_t';
EXPLAIN (COSTS OFF) SELECT count(*) FROM ios_t WHERE k < 3000;
EXPLAIN (COSTS OFF) SELECT count(*) FROM ios_t WHERE id > 50000;
SET enable_indexonlyscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM ios_t WHERE k < 3000;
RESET enable_indexonlyscan;
SELECT count(*) FROM ios_t WHERE k < 3000;
-- deleted and new rows: the answers still are the rows there are
DELETE FROM ios_t WHERE id % 10 = 0;
INSERT INTO ios_t SELECT g, g % 10000, 'new' || g FROM generate_series(100001, 100050) g;
UPDATE ios_t SET k = k + 1 WHERE id % 13 = 0 AND id < 1000;
SELECT count(*) FROM ios_t WHERE id BETWEEN 50 AND 100030;
SELECT count(*) FROM ios_t WHERE k < 3000;
SELECT id FROM ios_t WHERE id > 99995 ORDER BY id LIMIT 8;
SELECT k FROM ios_t WHERE k BETWEEN 5 AND 7 ORDER BY k;
VACUUM ios_t;
EXPLAIN (COSTS OFF) SELECT count(*) FROM ios_t WHERE k < 3000;
SELECT count(*) FROM ios_t WHERE k < 3000;
RESET enable_mergejoin;
RESET enable_memoize;
DROP TABLE ios_t, ios_pair, ios_small;
