-- Memoize over a parameterized nested loop's inner Index Scan: its rows cached per value of
-- the outer columns it reads (cost_memoize_rescan: hit ratio from the outer key's distinct
-- values, estimate_num_groups scaled to a filtered outer scan; Cache Mode logical for
-- equalities, binary otherwise), enable_memoize. Quiver has no Merge Join: it is off.
CREATE TABLE mz_orders (id int PRIMARY KEY, customer int, amount int);
CREATE TABLE mz_customers (id int PRIMARY KEY, region text);
INSERT INTO mz_customers SELECT g, 'r' || (g % 5) FROM generate_series(1, 500) g;
INSERT INTO mz_orders SELECT g, CASE WHEN g % 50 = 0 THEN NULL ELSE g % 500 + 1 END, g % 97 FROM generate_series(1, 3000) g;
ANALYZE mz_orders;
ANALYZE mz_customers;
SET enable_hashjoin = off;
EXPLAIN SELECT * FROM mz_orders o JOIN mz_customers c ON o.customer = c.id;
EXPLAIN SELECT * FROM mz_orders o JOIN mz_customers c ON o.customer < c.id;
EXPLAIN (COSTS OFF) SELECT * FROM mz_orders o LEFT JOIN mz_customers c ON o.customer = c.id AND c.region <> 'r1';
SET enable_memoize = off;
EXPLAIN SELECT * FROM mz_orders o JOIN mz_customers c ON o.customer = c.id;
RESET enable_memoize;
RESET enable_hashjoin;
-- a filtered outer side: fewer distinct keys than rows still
EXPLAIN SELECT * FROM mz_orders o JOIN mz_customers c ON o.customer < c.id WHERE o.amount < 10;
-- results through the cache (NULL keys match nothing)
SET enable_hashjoin = off;
SELECT count(*), sum(length(c.region)) FROM mz_orders o JOIN mz_customers c ON o.customer = c.id;
SELECT count(*), count(c.id) FROM mz_orders o LEFT JOIN mz_customers c ON o.customer = c.id AND c.region <> 'r1';
SELECT count(*) FROM mz_orders o WHERE NOT EXISTS (SELECT 1 FROM mz_customers c WHERE c.id = o.customer AND c.region = 'r2');
SELECT count(*), sum(c.id) FROM mz_orders o JOIN mz_customers c ON o.customer < c.id WHERE o.amount < 10;
RESET enable_hashjoin;
DROP TABLE mz_orders, mz_customers;
