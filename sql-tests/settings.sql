-- SET / SHOW / RESET of the settings clients send, and session information functions
-- (psql runs with PGTZ=UTC and PGDATESTYLE='ISO, MDY', sent as startup parameters)
SHOW TimeZone;
SHOW DateStyle;
SHOW client_encoding;
SHOW server_encoding;
SHOW standard_conforming_strings;
SHOW integer_datetimes;
SHOW transaction isolation level;
SHOW transaction_isolation;
SHOW default_transaction_isolation;
SHOW search_path;
SHOW statement_timeout;
SHOW extra_float_digits;
SHOW client_min_messages;
SHOW IntervalStyle;
-- application_name (psql sets it from PGAPPNAME)
SET application_name = 'my app';
SHOW application_name;
SET application_name TO 'PostgreSQL JDBC Driver';
SHOW application_name;
SELECT current_setting('application_name');
-- client_min_messages
SET client_min_messages TO warning;
SHOW client_min_messages;
DROP TABLE IF EXISTS no_such_table_here;
SET client_min_messages = notice;
DROP TABLE IF EXISTS no_such_table_here;
SET client_min_messages = 'bogus';
RESET client_min_messages;
SHOW client_min_messages;
-- extra_float_digits changes float output
SET extra_float_digits = 3;
SHOW extra_float_digits;
SELECT 0.1::float8, 0.1::float4, 1.0/3.0::float8;
SET extra_float_digits = 0;
SELECT 0.1::float8, 0.1::float4, 1.0/3.0::float8;
SET extra_float_digits = -3;
SELECT 0.1::float4::float8, pi();
SET extra_float_digits = 4;
SET extra_float_digits = 'abc';
RESET extra_float_digits;
SELECT 0.1::float4::float8;
-- TimeZone
SET TimeZone = 'UTC';
SHOW TimeZone;
SELECT '2024-05-06 07:08:09+00'::timestamptz;
SET TIME ZONE 'Europe/Paris';
SHOW TimeZone;
SELECT '2024-05-06 07:08:09+00'::timestamptz;
SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE;
SHOW TimeZone;
SET timezone TO 'America/New_York';
SELECT '2024-01-15 12:00:00+00'::timestamptz, '2024-07-15 12:00:00+00'::timestamptz;
SET TimeZone = 'Nowhere/Special';
RESET TimeZone;
SHOW TimeZone;
-- DateStyle
SET DateStyle = 'ISO, DMY';
SHOW DateStyle;
SELECT '05/06/2024'::date;
SET DateStyle = ISO;
SHOW DateStyle;
RESET DateStyle;
SHOW DateStyle;
SELECT '05/06/2024'::date;
-- search_path
SET search_path = public;
SHOW search_path;
SET search_path TO "$user", public;
SHOW search_path;
RESET search_path;
SHOW search_path;
-- statement_timeout
SET statement_timeout = 0;
SHOW statement_timeout;
SET statement_timeout = '5s';
SHOW statement_timeout;
SET statement_timeout = 1500;
SHOW statement_timeout;
SET statement_timeout = 'forever';
RESET statement_timeout;
SHOW statement_timeout;
-- SET LOCAL lasts until the end of the transaction; SET in a rolled-back transaction is undone
BEGIN;
SET LOCAL statement_timeout = '10s';
SHOW statement_timeout;
COMMIT;
SHOW statement_timeout;
BEGIN;
SET application_name = 'rolled back';
ROLLBACK;
SHOW application_name;
-- set_config / current_setting
SELECT set_config('application_name', 'via set_config', false);
SHOW application_name;
SELECT current_setting('TimeZone'), current_setting('search_path');
SELECT current_setting('no_such_setting');
SELECT current_setting('no_such_setting', true);
-- unknown settings
SET no_such_setting = 1;
SHOW no_such_setting;
RESET ALL;
SHOW application_name;
SHOW extra_float_digits;
-- session information
SELECT current_database(), current_schema(), current_user;
SELECT current_schema, session_user, user;
SELECT current_schemas(false), current_schemas(true);
