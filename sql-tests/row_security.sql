-- Row-level security: ENABLE / FORCE, CREATE / ALTER / DROP POLICY and their errors,
-- permissive and restrictive policies over SELECT (k-NN included), INSERT, UPDATE, DELETE,
-- RETURNING and COPY, owners, superusers and BYPASSRLS, row_security = off, views running
-- with their owner's policies, pg_policy / pg_policies / pg_class and psql's \d and \dp.
-- Roles are cluster-wide: every role here is named regress_rls_* and dropped at the end.
CREATE ROLE regress_rls_owner;
CREATE ROLE regress_rls_alice;
CREATE ROLE regress_rls_bob;
CREATE ROLE regress_rls_bypass BYPASSRLS;
CREATE TABLE rls_docs (id int PRIMARY KEY, owner name, level int, title text, embedding vector(2));
INSERT INTO rls_docs VALUES
  (1, 'regress_rls_alice', 1, 'alice one', '[1,0]'),
  (2, 'regress_rls_alice', 3, 'alice two', '[2,0]'),
  (3, 'regress_rls_bob', 1, 'bob one', '[0.5,0]'),
  (4, 'regress_rls_bob', 2, 'bob two', '[3,0]'),
  (5, 'regress_rls_alice', 2, 'alice three', '[4,0]');
ALTER TABLE rls_docs OWNER TO regress_rls_owner;
GRANT SELECT, INSERT, UPDATE, DELETE ON rls_docs TO regress_rls_alice, regress_rls_bob, regress_rls_bypass;
-- policies may exist before RLS is enabled: nothing changes yet
CREATE POLICY p_own ON rls_docs USING (owner = current_user);
SET ROLE regress_rls_alice;
SELECT count(*) FROM rls_docs;
RESET ROLE;
-- errors
CREATE POLICY p_own ON rls_docs USING (true);
CREATE POLICY p_bad ON rls_nope USING (true);
CREATE POLICY p_bad ON rls_docs FOR SELECT USING (true) WITH CHECK (true);
CREATE POLICY p_bad ON rls_docs FOR DELETE WITH CHECK (true);
CREATE POLICY p_bad ON rls_docs FOR INSERT USING (true);
CREATE POLICY p_bad ON rls_docs USING (nope = 1);
CREATE POLICY p_bad ON rls_docs USING (id);
CREATE POLICY p_bad ON rls_docs TO regress_rls_nobody USING (true);
DROP POLICY p_nope ON rls_docs;
DROP POLICY IF EXISTS p_nope ON rls_docs;
ALTER POLICY p_nope ON rls_docs USING (true);
ALTER POLICY p_own ON rls_docs RENAME TO p_own;
SET ROLE regress_rls_alice;
CREATE POLICY p_mine ON rls_docs USING (true);
ALTER TABLE rls_docs ENABLE ROW LEVEL SECURITY;
DROP POLICY p_own ON rls_docs;
RESET ROLE;
ALTER TABLE rls_docs ENABLE ROW LEVEL SECURITY;
SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = 'rls_docs';
-- each user sees their own rows; the k-NN query returns the nearest visible ones
SET ROLE regress_rls_alice;
SELECT id, title FROM rls_docs ORDER BY id;
SELECT id, title FROM rls_docs ORDER BY embedding <-> '[0,0]' LIMIT 2;
SELECT id FROM rls_docs WHERE level > 1 ORDER BY embedding <-> '[0,0]' LIMIT 1;
SELECT count(*) FROM rls_docs WHERE id = 3;
RESET ROLE;
SET ROLE regress_rls_bob;
SELECT id, title FROM rls_docs ORDER BY embedding <-> '[0,0]' LIMIT 2;
-- the policy runs before the query's own conditions: a hidden row never reaches them
SELECT id FROM rls_docs WHERE 10 / (id - 2) > 0 ORDER BY id;
SELECT id FROM rls_docs WHERE 10 / (id - 1) > 0 ORDER BY embedding <-> '[0,0]' LIMIT 5;
-- a row the policy hides is neither updated nor deleted
UPDATE rls_docs SET title = 'stolen' WHERE id = 1;
DELETE FROM rls_docs WHERE id = 2 RETURNING id;
UPDATE rls_docs SET title = 'bob one!' WHERE id = 3 RETURNING id, title;
-- new rows must pass the policy (USING doubles as WITH CHECK)
INSERT INTO rls_docs VALUES (6, 'regress_rls_alice', 1, 'fake', '[9,9]');
UPDATE rls_docs SET owner = 'regress_rls_alice' WHERE id = 3;
INSERT INTO rls_docs VALUES (6, 'regress_rls_bob', 1, 'bob six', '[6,0]');
RESET ROLE;
-- the owner is not subject to its policies unless FORCEd; superusers and BYPASSRLS never are
SELECT row_security_active('rls_docs') AS superuser, row_security_active('rls_docs'::regclass::oid) AS by_oid;
SET ROLE regress_rls_owner;
SELECT count(*) FROM rls_docs;
SELECT row_security_active('rls_docs');
RESET ROLE;
SET ROLE regress_rls_bob;
SELECT row_security_active('rls_docs');
RESET ROLE;
SELECT count(*) FROM rls_docs;
SET ROLE regress_rls_bypass;
SELECT count(*) FROM rls_docs;
RESET ROLE;
ALTER TABLE rls_docs FORCE ROW LEVEL SECURITY;
SET ROLE regress_rls_owner;
SELECT count(*) FROM rls_docs;
RESET ROLE;
ALTER TABLE rls_docs NO FORCE ROW LEVEL SECURITY;
-- permissive policies are OR-ed, restrictive ones AND-ed, per command
CREATE POLICY p_public ON rls_docs FOR SELECT USING (level = 1);
CREATE POLICY p_low ON rls_docs AS RESTRICTIVE TO regress_rls_alice USING (level < 3);
CREATE POLICY p_ins ON rls_docs AS RESTRICTIVE FOR INSERT WITH CHECK (level <= 2);
SET ROLE regress_rls_alice;
SELECT id, title FROM rls_docs ORDER BY id;
SELECT id FROM rls_docs ORDER BY embedding <-> '[0,0]' LIMIT 3;
INSERT INTO rls_docs VALUES (7, 'regress_rls_alice', 5, 'too high', '[7,0]');
INSERT INTO rls_docs VALUES (7, 'regress_rls_alice', 2, 'alice seven', '[7,0]') RETURNING id;
RESET ROLE;
SET ROLE regress_rls_bob;
SELECT id, title FROM rls_docs ORDER BY id;
RESET ROLE;
-- COPY: TO reads what the policies let through; FROM is refused
SET ROLE regress_rls_bob;
COPY rls_docs (id, title) TO STDOUT;
COPY rls_docs FROM STDIN;
8	regress_rls_bob	1	copied	[8,0]
\.
RESET ROLE;
-- row_security = off: an error where policies would apply
SET row_security = off;
SET ROLE regress_rls_bob;
SELECT count(*) FROM rls_docs;
RESET ROLE;
SET ROLE regress_rls_owner;
SELECT count(*) FROM rls_docs;
RESET ROLE;
RESET row_security;
-- a view runs with its owner's policies
CREATE VIEW rls_docs_view AS SELECT id, title FROM rls_docs;
ALTER VIEW rls_docs_view OWNER TO regress_rls_bob;
GRANT SELECT ON rls_docs_view TO regress_rls_alice;
SET ROLE regress_rls_alice;
SELECT id, title FROM rls_docs_view ORDER BY id;
RESET ROLE;
DROP VIEW rls_docs_view;
-- ALTER POLICY: rename, roles, expressions
ALTER POLICY p_public ON rls_docs RENAME TO p_level_one;
ALTER POLICY p_level_one ON rls_docs TO regress_rls_bob USING (level <= 2);
ALTER POLICY p_own ON rls_docs WITH CHECK (owner = current_user AND level > 0);
SET ROLE regress_rls_alice;
SELECT id FROM rls_docs ORDER BY id;
RESET ROLE;
SET ROLE regress_rls_bob;
SELECT id FROM rls_docs ORDER BY id;
RESET ROLE;
-- no policy for a command: nothing passes
DROP POLICY p_own ON rls_docs;
SET ROLE regress_rls_bob;
DELETE FROM rls_docs;
SELECT id FROM rls_docs ORDER BY id;
RESET ROLE;
-- a policy may read another table; one that reads its own table recurses
CREATE TABLE rls_grants (member name, level int);
INSERT INTO rls_grants VALUES ('regress_rls_bob', 1), ('regress_rls_bob', 3);
GRANT SELECT ON rls_grants TO regress_rls_bob;
CREATE POLICY p_grant ON rls_docs FOR SELECT TO regress_rls_bob
  USING (level IN (SELECT g.level FROM rls_grants g WHERE g.member = current_user));
SET ROLE regress_rls_bob;
SELECT id, level FROM rls_docs ORDER BY embedding <-> '[0,0]' LIMIT 3;
RESET ROLE;
CREATE POLICY p_self ON rls_docs FOR SELECT TO regress_rls_bob USING (id IN (SELECT id FROM rls_docs));
SET ROLE regress_rls_bob;
SELECT count(*) FROM rls_docs;
RESET ROLE;
DROP POLICY p_self ON rls_docs;
DROP POLICY p_grant ON rls_docs;
DROP TABLE rls_grants;
-- the catalog and psql
CREATE POLICY p_tidy ON rls_docs FOR DELETE TO regress_rls_bob, regress_rls_alice
  USING (title <> 'keep' AND owner = current_user AND level BETWEEN 1 AND 3);
SELECT polname, polcmd, polpermissive, polroles = '{0}' AS to_public, pg_get_expr(polqual, polrelid) AS qual, pg_get_expr(polwithcheck, polrelid) AS with_check
  FROM pg_policy WHERE polrelid = 'rls_docs'::regclass ORDER BY 1;
SELECT policyname, permissive, roles, cmd, qual, with_check FROM pg_policies WHERE tablename = 'rls_docs' ORDER BY 1;
\d rls_docs
\dp rls_docs
-- a role a policy names cannot be dropped
DROP ROLE regress_rls_alice;
ALTER TABLE rls_docs DISABLE ROW LEVEL SECURITY;
SET ROLE regress_rls_bob;
SELECT count(*) FROM rls_docs;
RESET ROLE;
\d rls_docs
DROP TABLE rls_docs;
-- INSERT … ON CONFLICT DO UPDATE: the proposed row passes INSERT's policies, the existing row
-- UPDATE's and SELECT's USING, the updated row UPDATE's WITH CHECK and SELECT's USING
CREATE TABLE rls_oc (id int PRIMARY KEY, v int);
INSERT INTO rls_oc VALUES (1, 1), (2, 20), (3, 3);
GRANT ALL ON rls_oc TO regress_rls_alice;
ALTER TABLE rls_oc ENABLE ROW LEVEL SECURITY;
CREATE POLICY ps ON rls_oc FOR SELECT USING (v < 10);
CREATE POLICY pi ON rls_oc FOR INSERT WITH CHECK (v < 100);
CREATE POLICY pu ON rls_oc FOR UPDATE USING (id <> 3) WITH CHECK (v < 50);
SET ROLE regress_rls_alice;
INSERT INTO rls_oc VALUES (2, 5) ON CONFLICT (id) DO UPDATE SET v = 7;
INSERT INTO rls_oc VALUES (3, 5) ON CONFLICT (id) DO UPDATE SET v = 7;
INSERT INTO rls_oc VALUES (1, 5) ON CONFLICT (id) DO UPDATE SET v = 70;
INSERT INTO rls_oc VALUES (1, 5) ON CONFLICT (id) DO UPDATE SET v = 30;
INSERT INTO rls_oc VALUES (1, 500) ON CONFLICT (id) DO UPDATE SET v = 8;
INSERT INTO rls_oc VALUES (4, 60) ON CONFLICT (id) DO UPDATE SET v = 8;
INSERT INTO rls_oc VALUES (1, 5) ON CONFLICT (id) DO UPDATE SET v = 8 RETURNING *;
INSERT INTO rls_oc VALUES (2, 5) ON CONFLICT (id) DO NOTHING;
RESET ROLE;
SELECT * FROM rls_oc ORDER BY id;
DROP TABLE rls_oc;
SELECT count(*) FROM pg_policy WHERE polname LIKE 'p\_%';
-- policies follow a renamed column and depend on the columns they name
CREATE TABLE rls_rc (a int, b int, c int);
CREATE POLICY p_rc ON rls_rc USING (a > 0 AND b > 0);
ALTER TABLE rls_rc RENAME COLUMN a TO aa;
SELECT pg_get_expr(polqual, polrelid) FROM pg_policy WHERE polname = 'p_rc';
ALTER TABLE rls_rc DROP COLUMN b;
ALTER TABLE rls_rc DROP COLUMN c;
ALTER TABLE rls_rc DROP COLUMN b CASCADE;
SELECT count(*) FROM pg_policy WHERE polname = 'p_rc';
DROP TABLE rls_rc;
-- DROP OWNED takes a role out of the policies naming it (dropping a policy left with none)
CREATE ROLE regress_rls_do1;
CREATE ROLE regress_rls_do2;
CREATE TABLE rls_dot (a int);
CREATE POLICY p_d1 ON rls_dot TO regress_rls_do1 USING (true);
CREATE POLICY p_d2 ON rls_dot TO regress_rls_do1, regress_rls_do2 USING (true);
CREATE POLICY p_d3 ON rls_dot USING (true);
DROP OWNED BY regress_rls_do1;
SELECT polname, polroles = '{0}' AS pub, array_length(polroles, 1) FROM pg_policy WHERE polrelid = 'rls_dot'::regclass ORDER BY 1;
DROP ROLE regress_rls_do1;
DROP ROLE regress_rls_do2;
DROP OWNED BY regress_rls_do2;
DROP ROLE regress_rls_do2;
DROP TABLE rls_dot;
DROP ROLE regress_rls_owner;
DROP ROLE regress_rls_alice;
DROP ROLE regress_rls_bob;
DROP ROLE regress_rls_bypass;
