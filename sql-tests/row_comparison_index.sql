-- Row comparisons over a B-tree index (keyset pagination): WHERE (created, id) > (k1, k2)
-- ORDER BY created, id LIMIT n is a Limit over an Index Scan whose Index Cond is the row
-- comparison, its range starting after the key; a row whose fields are only a prefix of an
-- index's columns is cut (> relaxed to >=) and stays in the Filter; other rows are Filters
-- printed as ROW(…) op ROW(…), estimated by their first column (rowcomparesel).
CREATE TABLE rci (id int PRIMARY KEY, created int, grp int, label text, ts timestamptz);
-- one commit large enough to be sealed, then rows in the growing segment, deletes, updates
INSERT INTO rci SELECT g, CASE WHEN g % 97 = 0 THEN NULL ELSE g / 40 END, g % 7, 'l' || (g % 113),
    timestamptz '2024-01-01 00:00:00+00' + (g / 3) * interval '1 minute'
  FROM generate_series(1, 12000) g;
INSERT INTO rci SELECT g, g % 300, g % 7, 'l' || (g % 113), timestamptz '2024-01-01 00:00:00+00' + (g % 500) * interval '1 minute'
  FROM generate_series(12001, 12600) g;
INSERT INTO rci VALUES (12601, 150, NULL, NULL, NULL), (12602, NULL, 1, 'l1', NULL);
DELETE FROM rci WHERE id % 17 = 0;
UPDATE rci SET label = label || 'u' WHERE id % 19 = 0;
CREATE INDEX rci_created_id ON rci (created, id);
CREATE INDEX rci_ts_id ON rci (ts, id);
CREATE INDEX rci_grp ON rci (grp);
ANALYZE rci;
-- plans (PostgreSQL's index costs are btcostestimate's: shapes only where an index is read)
EXPLAIN (COSTS OFF) SELECT id FROM rci WHERE (created, id) > (150, 6010) ORDER BY created, id LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM rci WHERE (created, id) < (150, 6010) ORDER BY created DESC, id DESC LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM rci WHERE (created, id) >= (150, 6010) ORDER BY created, id LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM rci WHERE (ts, id) > ('2024-01-02 00:00:00+00', 4320) ORDER BY ts, id LIMIT 10;
EXPLAIN (COSTS OFF) SELECT id FROM rci WHERE (created, id) > (290, 11600);
EXPLAIN (COSTS OFF) SELECT id FROM rci WHERE (grp, id) > (6, 11000);
EXPLAIN (COSTS OFF) SELECT id FROM rci WHERE (created, id, grp) > (290, 11600, 3);
EXPLAIN (COSTS OFF) SELECT id FROM rci WHERE (created, id) > (150, 6010) AND label = 'l7' ORDER BY created, id LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM rci WHERE (created, id) > (150, 6010::bigint) ORDER BY created, id LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM rci WHERE (created, id) >= (290, NULL);
-- not the index's order of columns, not columns: Filters, with PostgreSQL's estimates and costs
CREATE TABLE rcf (created int, id int, k int);
INSERT INTO rcf SELECT g / 100, g, (g * 7919) % 1000 FROM generate_series(1, 20000) g;
INSERT INTO rcf VALUES (NULL, 100000, 1), (5, NULL, 2);
CREATE INDEX rcf_created_id ON rcf (created, id);
ANALYZE rcf;
EXPLAIN SELECT * FROM rcf WHERE (id, created) > (5, 16);
EXPLAIN SELECT * FROM rcf WHERE (created, id) > (5, 16);
EXPLAIN SELECT * FROM rcf WHERE (k, id) < (500, 100);
EXPLAIN SELECT * FROM rcf WHERE (created + 1, id) > (100, 16);
EXPLAIN SELECT * FROM rcf WHERE (created, id) <= (199, 19950) AND k > 200;
EXPLAIN (COSTS OFF) SELECT * FROM rcf WHERE (created, id) = (5, 516);
EXPLAIN SELECT count(*) FROM rcf WHERE (created, id) > (10, 16) AND (created, id) < (150, 0);
SELECT count(*) FROM rcf WHERE (created, id) > (10, 16) AND (created, id) < (150, 0);
-- the columns on the right: commuted into the Index Cond as PostgreSQL does; NOT stays a Filter
EXPLAIN (COSTS OFF) SELECT * FROM rcf WHERE (5, 16) < (created, id) ORDER BY created, id LIMIT 5;
SELECT * FROM rcf WHERE (5, 16) < (created, id) ORDER BY created, id LIMIT 3;
SELECT * FROM rcf WHERE (5, 516) >= (created, id) ORDER BY created DESC, id DESC LIMIT 3;
EXPLAIN (COSTS OFF) SELECT * FROM rcf WHERE NOT ((created, id) > (5, 16));
-- values of the outer row: a parameterized Index Only Scan's Index Cond
EXPLAIN (COSTS OFF) SELECT k.id FROM rcf k WHERE EXISTS (SELECT 1 FROM rcf k2 WHERE (k2.created, k2.id) > (k.created, k.id) AND k2.id < 30) AND k.id < 3;
SELECT k.id FROM rcf k WHERE EXISTS (SELECT 1 FROM rcf k2 WHERE (k2.created, k2.id) > (k.created, k.id) AND k2.id < 30) AND k.id < 3 ORDER BY k.id;
SELECT k.id, (SELECT min(k2.id) FROM rcf k2 WHERE (k2.created, k2.id) > (k.created, k.id)) FROM rcf k WHERE k.id IN (99, 100, 199, 19999, 20000) ORDER BY k.id;
DROP TABLE rcf;
-- answers: the index's against a scan's (enable_indexscan off)
SELECT id, created FROM rci WHERE (created, id) > (150, 6010) ORDER BY created, id LIMIT 5;
SELECT id, created FROM rci WHERE (created, id) <= (150, 6010) ORDER BY created DESC, id DESC LIMIT 5;
SELECT id, created, grp FROM rci WHERE (created, id, grp) > (149, 12449, 3) ORDER BY created, id LIMIT 4;
SELECT id, created FROM rci WHERE (created, id) >= (290, NULL) ORDER BY id;
SELECT count(*) FROM rci WHERE (created, id) > (150, 6010);
SELECT count(*) FROM rci WHERE (created, id) < (150, 6010);
SELECT count(*), sum(id) FROM rci WHERE (created, id) > (290, 11600);
SELECT count(*), sum(id) FROM rci WHERE (created, id, grp) > (290, 11600, 3);
SELECT count(*), sum(id) FROM rci WHERE (grp, id) > (6, 11000);
SET enable_indexscan = off;
SELECT count(*) FROM rci WHERE (created, id) > (150, 6010);
SELECT count(*) FROM rci WHERE (created, id) < (150, 6010);
RESET enable_indexscan;
-- paging forward, page by page, each page starting after the last row of the one before
\set c 149
\set i 5975
SELECT id, created FROM rci WHERE (created, id) > (:c, :i) ORDER BY created, id LIMIT 6;
SELECT created AS c, id AS i FROM rci WHERE (created, id) > (:c, :i) ORDER BY created, id LIMIT 1 OFFSET 5 \gset
SELECT id, created FROM rci WHERE (created, id) > (:c, :i) ORDER BY created, id LIMIT 6;
SELECT created AS c, id AS i FROM rci WHERE (created, id) > (:c, :i) ORDER BY created, id LIMIT 1 OFFSET 5 \gset
SELECT id, created FROM rci WHERE (created, id) > (:c, :i) ORDER BY created, id LIMIT 6;
SELECT created AS c, id AS i FROM rci WHERE (created, id) > (:c, :i) ORDER BY created, id LIMIT 1 OFFSET 5 \gset
SELECT id, created FROM rci WHERE (created, id) > (:c, :i) ORDER BY created, id LIMIT 6;
-- and backward from there
SELECT id, created FROM rci WHERE (created, id) < (:c, :i) ORDER BY created DESC, id DESC LIMIT 6;
SELECT created AS c, id AS i FROM rci WHERE (created, id) < (:c, :i) ORDER BY created DESC, id DESC LIMIT 1 OFFSET 5 \gset
SELECT id, created FROM rci WHERE (created, id) < (:c, :i) ORDER BY created DESC, id DESC LIMIT 6;
SELECT created AS c, id AS i FROM rci WHERE (created, id) < (:c, :i) ORDER BY created DESC, id DESC LIMIT 1 OFFSET 5 \gset
SELECT id, created FROM rci WHERE (created, id) < (:c, :i) ORDER BY created DESC, id DESC LIMIT 6;
-- the end of the table: the last rows, then none (NULL created never in a page)
SELECT id, created FROM rci WHERE (created, id) > (299, 12590) ORDER BY created, id LIMIT 6;
SELECT id, created FROM rci WHERE (created, id) > (300, 0) ORDER BY created, id LIMIT 6;
SELECT id, created FROM rci WHERE (created, id) < (0, 30) ORDER BY created DESC, id DESC LIMIT 6;
-- timestamps with ties (three rows a minute)
SELECT id, ts FROM rci WHERE (ts, id) > ('2024-01-01 01:00:00+00', 180) ORDER BY ts, id LIMIT 6;
SELECT id, ts FROM rci WHERE (ts, id) < ('2024-01-01 01:00:00+00', 181) ORDER BY ts DESC, id DESC LIMIT 6;
-- prepared statements: custom and generic plans
PREPARE rci_page(int, int, int) AS SELECT id, created FROM rci WHERE (created, id) > ($1, $2) ORDER BY created, id LIMIT $3;
PREPARE rci_back(int, int) AS SELECT id, created FROM rci WHERE (created, id) < ($1, $2) ORDER BY created DESC, id DESC LIMIT 4;
EXECUTE rci_page(150, 6010, 4);
EXECUTE rci_page(150, NULL, 4);
EXECUTE rci_back(150, 6010);
SET plan_cache_mode = force_generic_plan;
EXPLAIN (COSTS OFF) EXECUTE rci_page(150, 6010, 4);
EXPLAIN (COSTS OFF) EXECUTE rci_back(150, 6010);
EXECUTE rci_page(150, 6010, 4);
EXECUTE rci_page(299, 12590, 4);
EXECUTE rci_back(150, 6010);
EXECUTE rci_back(1, 80);
RESET plan_cache_mode;
DEALLOCATE rci_page;
DEALLOCATE rci_back;
DROP TABLE rci;
