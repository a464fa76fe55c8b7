-- INSERT without a column list: fewer values fill the leading columns, the rest take
-- their defaults (PostgreSQL's transformInsertStmt); with a column list they must match.
CREATE TABLE iic (id int PRIMARY KEY, label text DEFAULT 'none', n int DEFAULT 7, v vector(2));
INSERT INTO iic VALUES (1);
INSERT INTO iic VALUES (2, 'two');
INSERT INTO iic VALUES (3, 'three', 3), (4, 'four', 4);
INSERT INTO iic VALUES (5, DEFAULT, 5, '[5,5]');
INSERT INTO iic SELECT 6, 'six';
INSERT INTO iic SELECT g FROM generate_series(7, 8) g;
INSERT INTO iic VALUES (9) RETURNING *;
SELECT * FROM iic ORDER BY id;
-- errors
INSERT INTO iic VALUES (10, 'ten'), (11);
INSERT INTO iic VALUES (12), (13, 'x', 1);
INSERT INTO iic (id, label) VALUES (14);
INSERT INTO iic (id) VALUES (15, 'x');
INSERT INTO iic VALUES (16, 'a', 1, '[1,1]', 'extra');
INSERT INTO iic (id, label) SELECT 17;
INSERT INTO iic SELECT 18, 'a', 1, '[1,1]', 'extra';
SELECT count(*) FROM iic;
DROP TABLE iic;
