-- a transaction's own unique keys after ROLLBACK TO SAVEPOINT and after deleting its own rows:
-- a key whose row was taken back or deleted is free again, before and after the commit
CREATE TABLE suk (id int PRIMARY KEY, note text);

BEGIN;
INSERT INTO suk VALUES (1, 'a');
SAVEPOINT s1;
INSERT INTO suk VALUES (2, 'b');
ROLLBACK TO s1;
INSERT INTO suk VALUES (2, 'b again');
INSERT INTO suk VALUES (1, 'dup');
ROLLBACK;

BEGIN;
INSERT INTO suk VALUES (1, 'a');
SAVEPOINT s1;
INSERT INTO suk VALUES (2, 'b');
INSERT INTO suk VALUES (3, 'c');
ROLLBACK TO s1;
COMMIT;
SELECT * FROM suk ORDER BY id;
-- 2 and 3 were never committed: free
INSERT INTO suk VALUES (2, 'b'), (3, 'c');
INSERT INTO suk VALUES (1, 'dup');
SELECT * FROM suk ORDER BY id;

BEGIN;
INSERT INTO suk VALUES (10, 'x');
DELETE FROM suk WHERE id = 10;
INSERT INTO suk VALUES (10, 'x again');
INSERT INTO suk VALUES (11, 'y');
UPDATE suk SET id = 12 WHERE id = 11;
INSERT INTO suk VALUES (11, 'y again');
COMMIT;
SELECT * FROM suk ORDER BY id;
INSERT INTO suk VALUES (12, 'dup');
INSERT INTO suk VALUES (10, 'dup');

-- without any undo: a duplicate within the transaction and against its commit
BEGIN;
INSERT INTO suk VALUES (20, 'p');
INSERT INTO suk VALUES (20, 'q');
ROLLBACK;
COPY suk FROM STDIN;
30	c1
31	c2
\.
COPY suk FROM STDIN;
32	c3
30	dup
\.
SELECT * FROM suk WHERE id >= 30 ORDER BY id;
DROP TABLE suk;
