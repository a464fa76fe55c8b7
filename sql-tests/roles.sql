-- Roles in SQL: CREATE / ALTER / DROP ROLE, membership, SET ROLE and SET SESSION
-- AUTHORIZATION, current_user / session_user, the catalog views and psql's \du.
-- Roles are cluster-wide: every role here is named regress_roles_* and dropped at the end.
CREATE ROLE regress_roles_admin CREATEROLE;
CREATE ROLE regress_roles_reader NOLOGIN;
CREATE USER regress_roles_alice PASSWORD 'alice-secret' CONNECTION LIMIT 2;
CREATE ROLE regress_roles_bob LOGIN INHERIT VALID UNTIL '2031-06-30 12:00:00+00';
CREATE ROLE regress_roles_super SUPERUSER NOINHERIT BYPASSRLS;
CREATE ROLE regress_roles_md5 LOGIN PASSWORD 'md5c0c8f5b8f43cc2a5e9c93ea5c4a72bd5';
CREATE ROLE regress_roles_alice;
CREATE ROLE pg_regress_roles_x;
\du regress_roles_*
\dg regress_roles_admin
SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolconnlimit, rolpassword, rolvaliduntil, rolbypassrls
  FROM pg_roles WHERE rolname LIKE 'regress_roles_%' ORDER BY rolname;
SELECT usename, usecreatedb, usesuper, passwd FROM pg_user WHERE usename LIKE 'regress_roles_%' ORDER BY usename;
-- secrets: SCRAM-SHA-256 verifiers, never the password; a given md5 secret is kept as is
SELECT rolname, rolpassword LIKE 'SCRAM-SHA-256$4096:%' AS scram, rolpassword LIKE 'md5%' AS md5
  FROM pg_authid WHERE rolname LIKE 'regress_roles_%' ORDER BY rolname;
-- ALTER ROLE: attributes, password, rename
ALTER ROLE regress_roles_bob NOLOGIN CREATEDB CONNECTION LIMIT 5;
ALTER ROLE regress_roles_alice PASSWORD NULL;
ALTER ROLE regress_roles_md5 RENAME TO regress_roles_md5b;
ALTER ROLE regress_roles_nobody LOGIN;
ALTER ROLE regress_roles_md5b RENAME TO regress_roles_bob;
SELECT rolname, rolcanlogin, rolcreatedb, rolconnlimit FROM pg_roles WHERE rolname IN ('regress_roles_bob', 'regress_roles_alice') ORDER BY 1;
SELECT rolname, rolpassword IS NULL AS no_password FROM pg_authid WHERE rolname LIKE 'regress_roles_%' ORDER BY 1;
-- membership
GRANT regress_roles_reader TO regress_roles_alice;
GRANT regress_roles_reader TO regress_roles_alice;
GRANT regress_roles_alice TO regress_roles_reader;
GRANT regress_roles_reader TO regress_roles_bob WITH ADMIN OPTION;
GRANT regress_roles_nobody TO regress_roles_bob;
SELECT r.rolname AS role, m.rolname AS member, a.admin_option
  FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
  WHERE m.rolname LIKE 'regress_roles_%' ORDER BY 1, 2;
\du regress_roles_alice
REVOKE regress_roles_reader FROM regress_roles_bob;
REVOKE regress_roles_reader FROM regress_roles_bob;
-- SET ROLE / RESET ROLE / SET SESSION AUTHORIZATION
SELECT current_user, session_user, current_role;
SET ROLE regress_roles_alice;
SELECT current_user, session_user, current_role;
SHOW role;
SET ROLE regress_roles_reader;
SELECT current_user, session_user;
SET ROLE regress_roles_bob;
SET ROLE regress_roles_nobody;
RESET ROLE;
SELECT current_user, session_user;
SET SESSION AUTHORIZATION regress_roles_alice;
SELECT current_user, session_user;
SHOW session_authorization;
SHOW is_superuser;
SET ROLE regress_roles_reader;
SELECT current_user, session_user;
SET ROLE regress_roles_super;
-- a non-superuser may not read the secrets, create roles or change a superuser
SELECT count(*) FROM pg_authid;
CREATE ROLE regress_roles_nope;
ALTER ROLE regress_roles_super NOSUPERUSER;
DROP ROLE regress_roles_bob;
SET SESSION AUTHORIZATION regress_roles_bob;
RESET SESSION AUTHORIZATION;
SELECT current_user, session_user;
SET SESSION AUTHORIZATION regress_roles_nobody;
-- SET LOCAL ROLE ends with the transaction; a rolled-back SET ROLE is undone
BEGIN;
SET LOCAL ROLE regress_roles_alice;
SELECT current_user;
COMMIT;
SELECT current_user;
BEGIN;
SET ROLE regress_roles_alice;
ROLLBACK;
SELECT current_user;
-- CREATEROLE: creates and drops non-superusers only
SET ROLE regress_roles_admin;
CREATE ROLE regress_roles_made;
CREATE ROLE regress_roles_made_super SUPERUSER;
DROP ROLE regress_roles_made;
DROP ROLE regress_roles_super;
RESET ROLE;
-- DROP ROLE
DROP ROLE regress_roles_nobody;
DROP ROLE IF EXISTS regress_roles_nobody;
DROP ROLE regress_roles_admin, regress_roles_reader, regress_roles_alice, regress_roles_bob, regress_roles_super, regress_roles_md5b;
SELECT count(*) FROM pg_roles WHERE rolname LIKE 'regress_roles_%';
