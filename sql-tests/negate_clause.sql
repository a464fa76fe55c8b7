-- NOT pushed into what it negates, as PostgreSQL's negate_clause: a comparison becomes its
-- negator (LIKE too), AND / OR by De Morgan, NOT NOT x is x, IS [NOT] NULL / TRUE flip.
CREATE TABLE neg_t (a int, b text, c bool, d numeric, v vector(2));
INSERT INTO neg_t VALUES (1, 'x', true, 1.5, '[1,2]'), (2, NULL, NULL, NULL, NULL), (3, 'y', false, 2, '[0,0]');
EXPLAIN (COSTS OFF) SELECT * FROM neg_t WHERE NOT (a = 1);
EXPLAIN (COSTS OFF) SELECT * FROM neg_t WHERE NOT (a = 1 OR b = 'x');
EXPLAIN (COSTS OFF) SELECT * FROM neg_t WHERE NOT (a < 2 AND d >= 1.5);
EXPLAIN (COSTS OFF) SELECT * FROM neg_t WHERE NOT (b IS NULL);
EXPLAIN (COSTS OFF) SELECT * FROM neg_t WHERE NOT (c IS TRUE);
EXPLAIN (COSTS OFF) SELECT * FROM neg_t WHERE NOT NOT (a = 2);
EXPLAIN (COSTS OFF) SELECT * FROM neg_t WHERE NOT (a = 1.0);
EXPLAIN (COSTS OFF) SELECT * FROM neg_t WHERE NOT (b LIKE 'x%');
EXPLAIN (COSTS OFF) SELECT * FROM neg_t WHERE NOT c;
EXPLAIN (COSTS OFF) SELECT * FROM neg_t WHERE NOT (v = '[1,2]');
SELECT a FROM neg_t WHERE NOT (a = 1 OR b = 'x') ORDER BY a;
SELECT a FROM neg_t WHERE NOT (c IS TRUE) ORDER BY a;
SELECT a FROM neg_t WHERE NOT (a < 2 AND d >= 1.5) ORDER BY a;
SELECT a FROM neg_t WHERE NOT (v = '[1,2]') ORDER BY a;
DROP TABLE neg_t;
