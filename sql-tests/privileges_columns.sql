-- Column privileges: GRANT / REVOKE SELECT (cols), INSERT (cols), UPDATE (cols),
-- REFERENCES (cols); enforced in SELECT, INSERT / UPDATE column lists, RETURNING and COPY;
-- has_column_privilege, pg_attribute.attacl, information_schema.column_privileges, \dp.
-- Roles are cluster-wide: every role here is named regress_privc_* and dropped at the end.
CREATE ROLE regress_privc_a;
CREATE ROLE regress_privc_b LOGIN;
CREATE TABLE privc_t (a int, b text, c int, d int);
CREATE TABLE privc_docs (id int, tenant text, embedding vector(3));
INSERT INTO privc_t VALUES (1, 'x', 10, 100);
INSERT INTO privc_docs VALUES (1, 't1', '[1,0,0]'), (2, 't2', '[0,1,0]'), (3, 't1', '[0,0,1]');
GRANT SELECT (a, b), UPDATE (c), INSERT (a), REFERENCES (a) ON privc_t TO regress_privc_a;
GRANT SELECT (id, tenant) ON privc_docs TO regress_privc_a;
GRANT DELETE (a) ON privc_t TO regress_privc_a;
GRANT SELECT (zz) ON privc_t TO regress_privc_a;
GRANT SELECT (a) ON privc_nosuch TO regress_privc_a;
\dp privc_*
SELECT attname, attacl FROM pg_attribute WHERE attrelid = 'privc_t'::regclass AND attnum > 0 ORDER BY attnum;
SELECT grantor, grantee, table_name, column_name, privilege_type, is_grantable
  FROM information_schema.column_privileges WHERE table_name = 'privc_t' ORDER BY column_name, privilege_type, grantee;
SET ROLE regress_privc_a;
SELECT a, b FROM privc_t;
SELECT a, c FROM privc_t;
SELECT * FROM privc_t;
SELECT count(*) FROM privc_t;
SELECT 1 FROM privc_t;
SELECT privc_t FROM privc_t;
SELECT a FROM privc_t WHERE c = 10;
SELECT a FROM privc_t ORDER BY d;
SELECT t.a FROM privc_t t JOIN privc_t u USING (a);
SELECT t.a FROM privc_t t JOIN privc_t u USING (c);
SELECT (SELECT max(b) FROM privc_t WHERE privc_t.a = o.a) FROM privc_t o;
SELECT EXISTS (SELECT 1 FROM privc_t WHERE d > 0);
-- a k-NN query needs SELECT on the vector column it orders by
SELECT id FROM privc_docs WHERE tenant = 't1' ORDER BY id;
SELECT id FROM privc_docs ORDER BY embedding <-> '[1,0,0]' LIMIT 2;
INSERT INTO privc_t (a) VALUES (2);
INSERT INTO privc_t (a, b) VALUES (3, 'y');
INSERT INTO privc_t VALUES (4);
INSERT INTO privc_t VALUES (4, 'z');
INSERT INTO privc_t (a) VALUES (5) RETURNING a;
INSERT INTO privc_t (a) VALUES (5) RETURNING c;
INSERT INTO privc_t (a) VALUES (5) RETURNING *;
UPDATE privc_t SET c = 11;
UPDATE privc_t SET c = 12 WHERE a = 1;
UPDATE privc_t SET c = c + 1;
UPDATE privc_t SET d = 1;
UPDATE privc_t SET c = 13 WHERE d = 100;
UPDATE privc_t SET c = 14 WHERE a = 1 RETURNING a, b;
DELETE FROM privc_t WHERE a = 5;
COPY privc_t (a, b) TO STDOUT;
COPY privc_t TO STDOUT;
COPY privc_t (a) FROM STDIN;
7
\.
COPY privc_t (a, b) FROM STDIN;
8	z
\.
SELECT has_column_privilege('privc_t', 'a', 'SELECT') AS a_sel, has_column_privilege('privc_t', 'c', 'SELECT') AS c_sel,
       has_column_privilege('privc_t', 'c', 'UPDATE') AS c_upd, has_column_privilege('privc_t', 'a', 'REFERENCES') AS a_ref,
       has_any_column_privilege('privc_t', 'SELECT') AS any_sel, has_any_column_privilege('privc_t', 'INSERT') AS any_ins,
       has_table_privilege('privc_t', 'SELECT') AS t_sel;
SELECT has_column_privilege('regress_privc_b', 'privc_t', 'a', 'SELECT') AS b_a, has_any_column_privilege('regress_privc_b', 'privc_t', 'SELECT') AS b_any;
SELECT has_any_column_privilege('privc_t', 'DELETE');
SELECT has_column_privilege('privc_t', 'zz', 'SELECT');
SELECT has_column_privilege('privc_t', 2::int2, 'SELECT') AS by_attnum, has_column_privilege('privc_t', 4::int2, 'SELECT') AS d_attnum;
RESET ROLE;
SELECT a, b, c, d FROM privc_t ORDER BY a, c;
-- a prepared statement is checked at each execution
SET SESSION AUTHORIZATION regress_privc_b;
PREPARE privc_q AS SELECT b FROM privc_t WHERE a = 1;
EXECUTE privc_q;
RESET SESSION AUTHORIZATION;
GRANT SELECT (a, b) ON privc_t TO regress_privc_b WITH GRANT OPTION;
SET SESSION AUTHORIZATION regress_privc_b;
EXECUTE privc_q;
-- grant options pass on column privileges
GRANT SELECT (b) ON privc_t TO regress_privc_a;
GRANT SELECT (c) ON privc_t TO regress_privc_a;
RESET SESSION AUTHORIZATION;
DEALLOCATE privc_q;
SELECT attname, attacl FROM pg_attribute WHERE attrelid = 'privc_t'::regclass AND attnum > 0 ORDER BY attnum;
-- REVOKE of a column privilege, and a table's REVOKE takes its columns' with it
REVOKE SELECT (b) ON privc_t FROM regress_privc_b;
REVOKE SELECT (b) ON privc_t FROM regress_privc_b CASCADE;
REVOKE UPDATE ON privc_t FROM regress_privc_a;
\dp privc_t
GRANT SELECT ON privc_t TO regress_privc_a;
REVOKE SELECT ON privc_t FROM regress_privc_a;
\dp privc_t
-- column privileges on a view (its query runs with the owner's rights)
CREATE VIEW privc_v AS SELECT a, b FROM privc_t;
GRANT SELECT (a) ON privc_v TO regress_privc_a;
SET ROLE regress_privc_a;
SELECT a FROM privc_v ORDER BY a;
SELECT b FROM privc_v;
SELECT * FROM privc_v;
SELECT count(*) FROM privc_v;
RESET ROLE;
\dp privc_v
DROP VIEW privc_v;
DROP ROLE regress_privc_a;
REVOKE ALL ON privc_t, privc_docs FROM regress_privc_a, regress_privc_b;
SELECT attname, attacl FROM pg_attribute WHERE attrelid = 'privc_t'::regclass AND attnum > 0 ORDER BY attnum;
DROP TABLE privc_t, privc_docs;
DROP ROLE regress_privc_a, regress_privc_b;
-- ON CONFLICT reads its target: the conflict columns and what DO UPDATE's SET and WHERE
-- read (from the row or EXCLUDED) need SELECT
CREATE TABLE pc_oc (id int PRIMARY KEY, a int, b int);
INSERT INTO pc_oc VALUES (1, 1, 1);
CREATE ROLE pc_oc_user;
GRANT INSERT, UPDATE ON pc_oc TO pc_oc_user;
SET ROLE pc_oc_user;
INSERT INTO pc_oc VALUES (1, 2, 2) ON CONFLICT (id) DO UPDATE SET a = excluded.a;
INSERT INTO pc_oc VALUES (1, 2, 2) ON CONFLICT (id) DO NOTHING;
INSERT INTO pc_oc VALUES (2, 2, 2) ON CONFLICT DO NOTHING;
RESET ROLE;
GRANT SELECT (id) ON pc_oc TO pc_oc_user;
SET ROLE pc_oc_user;
INSERT INTO pc_oc VALUES (1, 2, 2) ON CONFLICT (id) DO NOTHING;
INSERT INTO pc_oc VALUES (1, 2, 2) ON CONFLICT (id) DO UPDATE SET a = excluded.a;
INSERT INTO pc_oc VALUES (1, 2, 2) ON CONFLICT (id) DO UPDATE SET a = 5 WHERE pc_oc.b > 0;
RESET ROLE;
GRANT SELECT (b) ON pc_oc TO pc_oc_user;
SET ROLE pc_oc_user;
INSERT INTO pc_oc VALUES (1, 2, 2) ON CONFLICT (id) DO UPDATE SET a = pc_oc.b + 10 WHERE pc_oc.b > 0;
RESET ROLE;
SELECT * FROM pc_oc ORDER BY id;
DROP TABLE pc_oc;
DROP ROLE pc_oc_user;
