-- INSERT / UPDATE / DELETE, RETURNING, ON CONFLICT, command tags
-- show command tags (psql -q hides them otherwise)
\set QUIET off
CREATE TABLE inv (id int PRIMARY KEY, name text NOT NULL, qty int DEFAULT 0, price numeric(8,2));
INSERT INTO inv VALUES (1, 'apple', 10, 0.50);
INSERT INTO inv VALUES (2, 'banana', 20, 0.25), (3, 'cherry', 30, 4.00), (4, 'date', 0, 12.00);
INSERT INTO inv (id, name) VALUES (5, 'elder');
INSERT INTO inv (name, id) VALUES ('fig', 6) RETURNING *;
INSERT INTO inv (id, name, qty) VALUES (7, 'grape', 7), (8, 'honeydew', 8) RETURNING id, name, qty * 2 AS double_qty;
INSERT INTO inv (id, name) VALUES (9, 'kiwi') RETURNING qty, price;
SELECT * FROM inv ORDER BY id;
-- INSERT … SELECT
CREATE TABLE inv_copy (id int PRIMARY KEY, name text, qty int);
INSERT INTO inv_copy SELECT id, name, qty FROM inv WHERE qty > 5;
INSERT INTO inv_copy (id, name) SELECT id + 100, upper(name) FROM inv WHERE id <= 2 RETURNING *;
INSERT INTO inv_copy SELECT id, name, qty FROM inv WHERE false;
SELECT * FROM inv_copy ORDER BY id;
-- ON CONFLICT DO NOTHING
INSERT INTO inv VALUES (1, 'apple2', 99, 9.99) ON CONFLICT DO NOTHING;
INSERT INTO inv VALUES (1, 'apple2', 99, 9.99) ON CONFLICT (id) DO NOTHING;
INSERT INTO inv VALUES (1, 'apple2', 99, 9.99), (10, 'lemon', 1, 1.00) ON CONFLICT (id) DO NOTHING RETURNING id, name;
-- ON CONFLICT DO UPDATE with EXCLUDED
INSERT INTO inv VALUES (2, 'banana', 5, 0.30) ON CONFLICT (id) DO UPDATE SET qty = inv.qty + EXCLUDED.qty, price = EXCLUDED.price;
INSERT INTO inv VALUES (3, 'cherry', 1, 5.00), (11, 'mango', 11, 1.10)
  ON CONFLICT (id) DO UPDATE SET qty = EXCLUDED.qty, name = EXCLUDED.name || '!' RETURNING *;
INSERT INTO inv VALUES (4, 'date', 1, 1.00) ON CONFLICT (id) DO UPDATE SET qty = 100 WHERE inv.qty > 1000 RETURNING *;
INSERT INTO inv VALUES (12, 'x', 1, 1), (12, 'y', 2, 2) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name;
INSERT INTO inv VALUES (13, 'z') ON CONFLICT (name) DO NOTHING;
SELECT * FROM inv ORDER BY id;
-- UPDATE
UPDATE inv SET qty = qty + 1 WHERE id = 1;
UPDATE inv SET qty = qty + 1 WHERE id > 100;
UPDATE inv SET price = price * 2, qty = 0 WHERE name LIKE 'b%' RETURNING id, name, price, qty;
UPDATE inv SET name = 'ELDER' WHERE id = 5 RETURNING *;
UPDATE inv SET qty = DEFAULT WHERE id = 1 RETURNING qty;
UPDATE inv SET qty = qty * 10 WHERE qty > 5 RETURNING id, qty;
UPDATE inv SET nosuch = 1;
UPDATE inv SET qty = 'many';
-- (multi-row RETURNING order follows the scan order, so these touch one row each)
UPDATE inv SET id = id + 1000 WHERE id = 1 RETURNING id;
UPDATE inv SET id = id + 1000 WHERE id = 2 RETURNING id, name;
UPDATE inv i SET qty = 5 WHERE i.id = 1001;
UPDATE inv SET qty = c.qty FROM inv_copy c WHERE c.id = inv.id AND c.id = 3;
SELECT * FROM inv ORDER BY id;
-- DELETE
DELETE FROM inv WHERE id = 1001;
DELETE FROM inv WHERE id = 424242;
DELETE FROM inv WHERE id = 4 RETURNING id, name;
DELETE FROM inv WHERE qty = 0;
DELETE FROM inv WHERE price IS NULL AND id = 7 RETURNING *;
DELETE FROM inv WHERE price IS NULL RETURNING qty;
DELETE FROM inv_copy WHERE id IN (SELECT id FROM inv) RETURNING id;
SELECT * FROM inv ORDER BY id;
DELETE FROM inv_copy;
SELECT count(*) FROM inv_copy;
DELETE FROM inv;
-- empty-table statements
UPDATE inv SET qty = 1;
DELETE FROM inv RETURNING *;
SELECT * FROM inv;
-- RETURNING with expressions and *
INSERT INTO inv VALUES (1, 'a', 1, 1.5) RETURNING id * 10 AS tenfold, name || '-' || qty AS label, inv.*;
DROP TABLE inv_copy;
DROP TABLE inv;
\set QUIET on
