-- CREATE [OR REPLACE] VIEW, DROP VIEW, views in queries and catalogs
\set QUIET off
CREATE TABLE vw_items (id int PRIMARY KEY, name text, kind text);
INSERT INTO vw_items VALUES (1, 'apple', 'fruit'), (2, 'carrot', 'veg'), (3, 'pear', 'fruit');
CREATE VIEW vw_fruit AS SELECT id, name FROM vw_items WHERE kind = 'fruit';
SELECT * FROM vw_fruit ORDER BY id;
SELECT f.name, i.kind FROM vw_fruit f JOIN vw_items i USING (id) ORDER BY 1;
CREATE VIEW vw_fruit AS SELECT 1;
CREATE OR REPLACE VIEW vw_fruit AS SELECT id, name, upper(name) AS big FROM vw_items WHERE kind = 'fruit';
SELECT * FROM vw_fruit ORDER BY id;
CREATE OR REPLACE VIEW vw_fruit AS SELECT id FROM vw_items;
CREATE VIEW vw_counts (k, n) AS SELECT kind, count(*) FROM vw_items GROUP BY kind;
SELECT * FROM vw_counts ORDER BY k;
SELECT viewname FROM pg_views WHERE schemaname = 'public' ORDER BY 1;
SELECT table_name, table_type FROM information_schema.tables WHERE table_name LIKE 'vw_%' ORDER BY 1;
SELECT relname, relkind FROM pg_class WHERE relname LIKE 'vw_%' ORDER BY 1;
DROP TABLE vw_counts;
DROP VIEW vw_items;
DROP VIEW IF EXISTS vw_nope;
DROP VIEW vw_counts, vw_fruit;
DROP TABLE vw_items;
