-- errors: messages, positions (LINE/caret), and the session keeps working after each
CREATE TABLE err_t (id int PRIMARY KEY, name text, n int);
INSERT INTO err_t VALUES (1, 'one', 10), (2, 'two', 0);
-- unknown table (42P01)
SELECT * FROM no_such_table;
SELECT id FROM err_t, no_such_table;
INSERT INTO no_such_table VALUES (1);
UPDATE no_such_table SET x = 1;
DELETE FROM no_such_table;
-- unknown column (42703)
SELECT no_such_column FROM err_t;
SELECT id, name, bogus FROM err_t;
SELECT err_t.bogus FROM err_t;
SELECT * FROM err_t WHERE bogus = 1;
SELECT * FROM err_t ORDER BY bogus;
INSERT INTO err_t (id, bogus) VALUES (3, 1);
SELECT nosuchtable.id FROM err_t;
-- syntax errors (42601) with positions
SELECT * FORM err_t;
SELEC 1;
SELECT 1 +;
SELECT (1));
SELECT * FROM err_t WHERE;
INSERT INTO err_t VALUES (1, 'x') VALUES (2, 'y');
CREATE TABLE (id int);
SELECT 1 FROM;
SELECT 1,
  2,
  3 4 5;
-- errors on later lines show the right LINE
SELECT id,
       name,
       missing_col
  FROM err_t;
-- type mismatches (42883, 42804, 22P02)
SELECT 1 + 'abc';
SELECT 'abc' + 1;
SELECT name + 1 FROM err_t;
SELECT id FROM err_t WHERE name = 1;
SELECT id FROM err_t WHERE id = 'one';
SELECT true + 1;
SELECT nosuchfunc(1);
SELECT length(1, 2, 3);
SELECT * FROM err_t WHERE name;
INSERT INTO err_t VALUES ('x', 'y', 1);
INSERT INTO err_t (id, name) VALUES (4, 'four', 5);
INSERT INTO err_t VALUES (5, 'five', 1, 2);
SELECT '[1,2]'::vector + 1;
-- division by zero (22012)
SELECT 1 / 0;
SELECT 1.5 / 0;
SELECT 10 % 0;
SELECT id, 100 / n FROM err_t ORDER BY id;
SELECT 1::float8 / 0;
-- numeric overflow (22003)
SELECT 2147483647 * 2;
SELECT (-2147483648)::int / -1;
-- ambiguous column (42702)
SELECT id FROM err_t a, err_t b;
-- duplicate key (23505) and not null (23502)
INSERT INTO err_t VALUES (1, 'dup', 0);
INSERT INTO err_t (name) VALUES ('no id');
-- the session still works
SELECT id, name, n FROM err_t ORDER BY id;
DROP TABLE err_t;
