-- FOREIGN KEY enforcement: inserts/updates of referencing rows, deletes/updates of referenced rows, actions
\set QUIET off
CREATE TABLE fk_parent (id int PRIMARY KEY, code text UNIQUE);
CREATE TABLE fk_child (id int PRIMARY KEY, pid int REFERENCES fk_parent (id), note text);
CREATE TABLE fk_cascade (id int PRIMARY KEY, pid int REFERENCES fk_parent ON DELETE CASCADE ON UPDATE CASCADE);
CREATE TABLE fk_setnull (id int PRIMARY KEY, pcode text REFERENCES fk_parent (code) ON DELETE SET NULL);
INSERT INTO fk_parent VALUES (1, 'a'), (2, 'b'), (3, 'c');
INSERT INTO fk_child VALUES (10, 1, 'x'), (11, NULL, 'no parent needed');
INSERT INTO fk_child VALUES (12, 9, 'missing');
UPDATE fk_child SET pid = 8 WHERE id = 10;
UPDATE fk_child SET pid = 2 WHERE id = 10;
INSERT INTO fk_cascade VALUES (20, 1), (21, 1), (22, 3);
INSERT INTO fk_setnull VALUES (30, 'a'), (31, 'c');
-- referenced rows
DELETE FROM fk_parent WHERE id = 2;
UPDATE fk_parent SET id = 20 WHERE id = 2;
DELETE FROM fk_parent WHERE id = 1;
SELECT * FROM fk_cascade ORDER BY id;
SELECT * FROM fk_setnull ORDER BY id;
UPDATE fk_parent SET id = 30 WHERE id = 3;
SELECT * FROM fk_cascade ORDER BY id;
DELETE FROM fk_child WHERE id = 10;
DELETE FROM fk_parent WHERE id = 2;
SELECT * FROM fk_parent ORDER BY id;
-- in one transaction: parent first, then child
BEGIN;
INSERT INTO fk_parent VALUES (5, 'e');
INSERT INTO fk_child VALUES (13, 5, 'same transaction');
COMMIT;
SELECT * FROM fk_child ORDER BY id;
-- ALTER TABLE … ADD FOREIGN KEY
CREATE TABLE fk_later (id int, pid int);
INSERT INTO fk_later VALUES (1, 5);
ALTER TABLE fk_later ADD CONSTRAINT fk_later_pid FOREIGN KEY (pid) REFERENCES fk_parent (id);
INSERT INTO fk_later VALUES (2, 77);
CREATE TABLE fk_bad (id int, pid int);
INSERT INTO fk_bad VALUES (1, 5), (2, 404);
ALTER TABLE fk_bad ADD CONSTRAINT fk_bad_pid FOREIGN KEY (pid) REFERENCES fk_parent (id);
DROP TABLE fk_bad;
DROP TABLE fk_later, fk_child, fk_cascade, fk_setnull, fk_parent;
-- dropping a referenced table
CREATE TABLE fk_p2 (id int PRIMARY KEY);
CREATE TABLE fk_c2 (id int, pid int REFERENCES fk_p2);
DROP TABLE fk_p2;
DROP TABLE fk_p2 CASCADE;
INSERT INTO fk_c2 VALUES (1, 999);
CREATE TABLE fk_p3 (id int PRIMARY KEY);
CREATE TABLE fk_c3 (id int, pid int REFERENCES fk_p3);
DROP TABLE fk_p3, fk_c3;
DROP TABLE fk_c2;
-- the referenced key needs a unique index; conindid names it (pgjdbc's getImportedKeys reads PK_NAME from it)
CREATE TABLE fk_p4 (id int PRIMARY KEY, code text, alt int, UNIQUE (alt, code));
CREATE TABLE fk_c4 (id int, pid int REFERENCES fk_p4, c text, a int, FOREIGN KEY (c, a) REFERENCES fk_p4 (code, alt));
SELECT conname, conindid::regclass FROM pg_constraint WHERE conrelid = 'fk_c4'::regclass ORDER BY conname;
CREATE TABLE fk_c5 (c text REFERENCES fk_p4 (code));
CREATE TABLE fk_self (id int PRIMARY KEY, parent int REFERENCES fk_self);
SELECT conname, contype, conindid::regclass FROM pg_constraint WHERE conrelid = 'fk_self'::regclass ORDER BY conname;
ALTER TABLE fk_self DROP CONSTRAINT fk_self_parent_fkey;
SELECT indexrelid::regclass FROM pg_index WHERE indrelid = 'fk_self'::regclass;
DROP TABLE fk_c4, fk_p4, fk_self;
