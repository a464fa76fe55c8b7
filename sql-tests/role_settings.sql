-- ALTER ROLE / ALTER DATABASE … SET: stored in pg_db_role_setting, checked as SET checks
-- them, and applied when a session of that role (in that database) starts.
-- Roles are cluster-wide: every role here is named regress_rset_* and dropped at the end.
CREATE ROLE regress_rset_a LOGIN;
CREATE ROLE regress_rset_b LOGIN;
ALTER ROLE regress_rset_a SET lock_timeout = '8s';
ALTER ROLE regress_rset_a SET app.tenant = '42';
ALTER ROLE regress_rset_a IN DATABASE regress_role_settings SET search_path = a, b;
ALTER DATABASE regress_role_settings SET statement_timeout = '7s';
ALTER ROLE regress_rset_a SET nosuch = 1;
ALTER ROLE regress_rset_a SET lock_timeout = 'abc';
ALTER ROLE regress_rset_a SET is_superuser = on;
ALTER ROLE regress_rset_a SET max_connections = 5;
ALTER ROLE regress_rset_nosuch SET lock_timeout = '1s';
ALTER DATABASE regress_rset_nosuch SET lock_timeout = '1s';
SELECT d.datname, r.rolname, s.setconfig
  FROM pg_db_role_setting s LEFT JOIN pg_database d ON d.oid = s.setdatabase LEFT JOIN pg_roles r ON r.oid = s.setrole
 WHERE r.rolname LIKE 'regress_rset%' OR d.datname = 'regress_role_settings' ORDER BY 1, 2;
SELECT rolname, rolconfig FROM pg_roles WHERE rolname LIKE 'regress_rset%' ORDER BY 1;
SELECT usename, useconfig FROM pg_user WHERE usename LIKE 'regress_rset%' ORDER BY 1;
\drds regress_rset*
-- a new value replaces the old in place; RESET removes one; SET after RESET appends
ALTER ROLE regress_rset_a SET lock_timeout = '16s';
ALTER ROLE regress_rset_a SET enable_seqscan = off;
ALTER ROLE regress_rset_a RESET app.tenant;
ALTER ROLE regress_rset_a SET app.tenant = '43';
SELECT rolconfig FROM pg_roles WHERE rolname = 'regress_rset_a';
-- the settings apply at login (not at SET ROLE), below what the client sends
\c - regress_rset_a
SHOW lock_timeout;
SHOW enable_seqscan;
SHOW search_path;
SHOW statement_timeout;
SELECT current_setting('app.tenant');
SET lock_timeout = '1s';
RESET lock_timeout;
SHOW lock_timeout;
-- a role may change its own settings, not another's, and not superuser-only parameters
ALTER ROLE regress_rset_a SET lock_timeout = '2s';
ALTER ROLE regress_rset_a SET log_min_messages = 'debug1';
ALTER ROLE regress_rset_b SET lock_timeout = '2s';
ALTER ROLE postgres SET lock_timeout = '2s';
ALTER ROLE ALL SET lock_timeout = '2s';
ALTER DATABASE regress_role_settings SET lock_timeout = '2s';
\c - regress_rset_b
SHOW lock_timeout;
SHOW statement_timeout;
SHOW search_path;
\c - postgres
SET ROLE regress_rset_a;
SHOW lock_timeout;
RESET ROLE;
-- RESET ALL empties a row (it goes); DROP ROLE takes the role's settings with it
ALTER ROLE regress_rset_a IN DATABASE regress_role_settings RESET ALL;
ALTER DATABASE regress_role_settings RESET ALL;
\drds regress_rset*
DROP ROLE regress_rset_a;
DROP ROLE regress_rset_b;
SELECT count(*) FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = 'regress_role_settings';
