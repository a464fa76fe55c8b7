-- Table privileges: owners, GRANT / REVOKE, their enforcement in SELECT (k-NN included),
-- DML, RETURNING, COPY, TRUNCATE and DDL, views running with their owner's rights,
-- has_table_privilege / pg_has_role, relacl and psql's \dp.
-- Roles are cluster-wide: every role here is named regress_priv_* and dropped at the end.
CREATE ROLE regress_priv_owner;
CREATE ROLE regress_priv_reader;
CREATE ROLE regress_priv_writer;
CREATE ROLE regress_priv_group;
CREATE ROLE regress_priv_member IN ROLE regress_priv_group;
CREATE ROLE regress_priv_noinh NOINHERIT IN ROLE regress_priv_group;
CREATE TABLE priv_items (id int PRIMARY KEY, label text, embedding vector(3));
INSERT INTO priv_items VALUES (1, 'a', '[1,0,0]'), (2, 'b', '[0,1,0]'), (3, 'c', '[0,0,1]');
ALTER TABLE priv_items OWNER TO regress_priv_owner;
ALTER TABLE priv_items OWNER TO regress_priv_nobody;
\dp priv_items
SELECT relname, pg_get_userbyid(relowner) AS owner, relacl FROM pg_class WHERE relname LIKE 'priv_items%' ORDER BY 1;
-- nobody but the owner (and superusers) may read it yet
SET ROLE regress_priv_reader;
SELECT * FROM priv_items;
SELECT id FROM priv_items ORDER BY embedding <-> '[1,0,0]' LIMIT 1;
RESET ROLE;
SET ROLE regress_priv_owner;
SELECT id, label FROM priv_items ORDER BY id;
GRANT SELECT ON priv_items TO regress_priv_reader;
GRANT INSERT, UPDATE ON TABLE priv_items TO regress_priv_writer;
GRANT SELECT ON priv_items TO regress_priv_group;
RESET ROLE;
\dp priv_items
-- a reader reads (the k-NN query too) and nothing more
SET ROLE regress_priv_reader;
SELECT id, label FROM priv_items ORDER BY embedding <-> '[1,0,0]' LIMIT 2;
SELECT count(*) FROM (SELECT * FROM priv_items WHERE id > 1) s;
INSERT INTO priv_items VALUES (4, 'd', '[1,1,1]');
UPDATE priv_items SET label = 'x' WHERE id = 1;
DELETE FROM priv_items;
TRUNCATE priv_items;
COPY priv_items (id, label) TO STDOUT;
ALTER TABLE priv_items ADD COLUMN extra int;
CREATE INDEX ON priv_items (label);
COMMENT ON TABLE priv_items IS 'mine';
ALTER TABLE priv_items RENAME TO priv_stolen;
DROP TABLE priv_items;
ALTER TABLE priv_items OWNER TO regress_priv_reader;
RESET ROLE;
-- a writer inserts and updates, but may not read: WHERE, RETURNING and SET from columns need SELECT
SET ROLE regress_priv_writer;
INSERT INTO priv_items VALUES (4, 'd', '[1,1,1]');
INSERT INTO priv_items VALUES (5, 'e', '[1,1,0]') RETURNING id;
UPDATE priv_items SET label = 'same';
UPDATE priv_items SET label = label || 'z';
UPDATE priv_items SET label = 'x' WHERE id = 1;
DELETE FROM priv_items WHERE id = 4;
SELECT count(*) FROM priv_items;
RESET ROLE;
SELECT id, label FROM priv_items ORDER BY id;
-- privileges come through membership, unless the member is NOINHERIT (then SET ROLE)
SET ROLE regress_priv_member;
SELECT count(*) FROM priv_items;
RESET ROLE;
SET ROLE regress_priv_noinh;
SELECT count(*) FROM priv_items;
RESET ROLE;
SET SESSION AUTHORIZATION regress_priv_noinh;
SET ROLE regress_priv_group;
SELECT count(*) FROM priv_items;
RESET SESSION AUTHORIZATION;
-- the inquiry functions
SELECT has_table_privilege('regress_priv_reader', 'priv_items', 'SELECT') AS r_sel,
       has_table_privilege('regress_priv_reader', 'priv_items', 'INSERT') AS r_ins,
       has_table_privilege('regress_priv_writer', 'priv_items', 'insert, select') AS w_any,
       has_table_privilege('regress_priv_noinh', 'priv_items', 'select') AS noinh,
       has_table_privilege('regress_priv_member', 'priv_items'::regclass, 'select') AS member,
       has_table_privilege('priv_items', 'SELECT WITH GRANT OPTION') AS me;
SELECT has_table_privilege('regress_priv_reader', 'priv_items', 'frobnicate');
SELECT has_table_privilege('regress_priv_nobody', 'priv_items', 'select');
SELECT has_table_privilege('regress_priv_reader', 'priv_nothing', 'select');
SELECT pg_has_role('regress_priv_member', 'regress_priv_group', 'MEMBER') AS m_member,
       pg_has_role('regress_priv_noinh', 'regress_priv_group', 'USAGE') AS n_usage,
       pg_has_role('regress_priv_noinh', 'regress_priv_group', 'MEMBER') AS n_member;
-- views run with their owner's rights
CREATE VIEW priv_view AS SELECT id, label FROM priv_items;
ALTER VIEW priv_view OWNER TO regress_priv_reader;
GRANT SELECT ON priv_view TO regress_priv_writer;
SET ROLE regress_priv_writer;
SELECT * FROM priv_view ORDER BY id;
SELECT * FROM priv_items;
RESET ROLE;
REVOKE SELECT ON priv_items FROM regress_priv_reader;
SET ROLE regress_priv_writer;
SELECT * FROM priv_view ORDER BY id;
RESET ROLE;
-- WITH GRANT OPTION: a grantee passes on what it may grant, and only that
GRANT SELECT ON priv_items TO regress_priv_reader WITH GRANT OPTION;
SET ROLE regress_priv_reader;
GRANT SELECT ON priv_items TO regress_priv_writer;
GRANT SELECT, INSERT ON priv_items TO regress_priv_writer;
GRANT DELETE ON priv_items TO regress_priv_writer;
RESET ROLE;
SET ROLE regress_priv_writer;
GRANT SELECT ON priv_items TO regress_priv_member;
RESET ROLE;
\dp priv_items
-- TRUNCATE needs its own privilege
GRANT TRUNCATE ON priv_items TO regress_priv_writer;
SET ROLE regress_priv_writer;
TRUNCATE priv_items;
RESET ROLE;
SELECT count(*) FROM priv_items;
-- ALL TABLES IN SCHEMA, PUBLIC, REVOKE ALL
CREATE TABLE priv_other (a int);
GRANT ALL ON ALL TABLES IN SCHEMA public TO regress_priv_member;
GRANT SELECT ON priv_other TO PUBLIC;
\dp priv_*
SET ROLE regress_priv_reader;
SELECT count(*) FROM priv_other;
RESET ROLE;
REVOKE ALL PRIVILEGES ON priv_other FROM PUBLIC, regress_priv_member;
\dp priv_other
GRANT SELECT ON priv_other TO regress_priv_nobody;
GRANT SELECT ON priv_nothing TO regress_priv_reader;
GRANT USAGE ON priv_other TO regress_priv_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA priv_noschema TO regress_priv_reader;
-- DROP ROLE is refused while the role owns objects or holds privileges
DROP ROLE regress_priv_owner;
DROP ROLE regress_priv_reader;
DROP VIEW priv_view;
DROP TABLE priv_items, priv_other;
DROP ROLE regress_priv_owner, regress_priv_reader, regress_priv_writer, regress_priv_member, regress_priv_noinh, regress_priv_group;
