-- Time zones as PostgreSQL reads them: the system tz database's files (offsets and
-- abbreviations through history, the POSIX rule after the last transition) and the
-- 'Default' abbreviation set (timestamptz input, AT TIME ZONE, date_trunc, make_timestamptz).
CREATE TABLE tzdb_instants (t timestamptz);
INSERT INTO tzdb_instants VALUES ('1850-06-01 12:00 UTC'), ('1920-01-15 00:00 UTC'), ('1944-07-01 12:00 UTC'),
  ('1975-01-01 00:00 UTC'), ('2000-07-01 12:00 UTC'), ('2024-03-31 01:30 UTC'), ('2045-07-01 12:00 UTC'), ('2200-01-01 12:00 UTC');
CREATE TABLE tzdb_zones (z text);
INSERT INTO tzdb_zones VALUES ('Africa/Accra'), ('Africa/Casablanca'), ('America/Sao_Paulo'), ('America/St_Johns'),
  ('America/New_York'), ('Antarctica/Troll'), ('Asia/Kolkata'), ('Asia/Tehran'), ('Asia/Kathmandu'), ('Australia/Lord_Howe'),
  ('Europe/Dublin'), ('Europe/Moscow'), ('Pacific/Chatham'), ('Pacific/Apia'), ('CET'), ('EST5EDT'), ('UCT'), ('Etc/GMT+3'),
  ('posix/Europe/Paris'), ('america/chicago');
SET datestyle = 'Postgres, MDY';
SELECT z, to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS utc,
       timezone(z, t) AS local
FROM tzdb_zones, tzdb_instants ORDER BY z, t;
-- each zone as the session's: the abbreviation and offset the value prints with
SET timezone = 'Africa/Accra';
SELECT t, to_char(t, 'TZ OF') FROM tzdb_instants ORDER BY t;
SET timezone = 'Europe/Dublin';
SELECT t, to_char(t, 'TZ OF') FROM tzdb_instants ORDER BY t;
SET timezone = 'Australia/Lord_Howe';
SELECT t, to_char(t, 'TZ OF') FROM tzdb_instants ORDER BY t;
SET timezone = 'Pacific/Chatham';
SELECT t, to_char(t, 'TZ OF') FROM tzdb_instants ORDER BY t;
SET timezone = 'EST5EDT,M3.2.0,M11.1.0';
SELECT t, to_char(t, 'TZ OF') FROM tzdb_instants ORDER BY t;
SET timezone = '<+03>-3';
SELECT t FROM tzdb_instants ORDER BY t;
RESET timezone;
RESET datestyle;
-- abbreviations: fixed ones, and dynamic ones resolved through their zone's history
SELECT '2020-07-01 12:00 CEST'::timestamptz, '2020-07-01 12:00 CET'::timestamptz, '2020-01-01 12:00 PST'::timestamptz,
  '2020-07-01 12:00 MSK'::timestamptz, '2010-07-01 12:00 MSK'::timestamptz, '2020-07-01 12:00 Europe/Paris'::timestamptz;
SELECT '2020-07-01 12:00'::timestamp AT TIME ZONE 'CET', '2020-07-01 12:00'::timestamptz AT TIME ZONE 'CET',
  '2020-07-01 12:00'::timestamptz AT TIME ZONE 'cest', '2012-07-01 12:00'::timestamptz AT TIME ZONE 'MSK';
SELECT date_trunc('day', '2020-07-01 23:30+00'::timestamptz, 'CET'), date_trunc('day', '2020-07-01 23:30+00'::timestamptz, 'Europe/Paris'),
  date_trunc('day', '2020-07-01 23:30+00'::timestamptz, 'MSK');
SELECT make_timestamptz(2020, 7, 1, 12, 0, 0, 'CET'), make_timestamptz(2020, 7, 1, 12, 0, 0, 'Europe/Paris'),
  make_timestamptz(2020, 7, 1, 12, 0, 0, '+2'), make_timestamptz(2020, 7, 1, 12, 0, 0, '+2:30'), make_timestamptz(2020, 7, 1, 12, 0, 0, '-0230'),
  make_timestamptz(2020, 7, 1, 12, 0, 0, 'MSK');
SELECT make_timestamptz(2020, 7, 1, 12, 0, 0, '2');
SELECT make_timestamptz(2020, 7, 1, 12, 0, 0, '+25');
SELECT '2020-07-01 12:00 XYZ'::timestamptz;
SELECT now() AT TIME ZONE 'nonsense';
-- the catalogs (rows whose meaning does not change with the seasons)
SELECT count(*) FROM pg_timezone_abbrevs;
SELECT * FROM pg_timezone_abbrevs WHERE abbrev IN ('CET', 'CEST', 'EST', 'LKT', 'ART', 'IST', 'NZDT', 'AMST') ORDER BY abbrev;
SELECT count(*) > 500 AS many FROM pg_timezone_names;
SELECT * FROM pg_timezone_names WHERE name IN ('Asia/Kolkata', 'Asia/Tokyo', 'UTC', 'Etc/GMT+3', 'Asia/Kathmandu') ORDER BY name;
DROP TABLE tzdb_instants, tzdb_zones;
