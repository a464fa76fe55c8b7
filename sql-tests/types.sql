-- scalar types: literals, output format, NULLs, casts, overflow and bad input
-- bool
SELECT true, false, NULL::bool;
SELECT 't'::bool, 'yes'::bool, 'off'::bool, '1'::boolean, 'FALSE'::boolean;
SELECT 'maybe'::bool;
SELECT true AND NULL, false AND NULL, true OR NULL, NOT true;
-- integers
SELECT 1::int2, (-32768)::int2, 32767::smallint;
-- the cast binds tighter than unary minus
SELECT -32768::int2;
SELECT 32768::int2;
SELECT 2147483647::int4, (-2147483648)::integer;
SELECT 2147483648::int4;
SELECT 9223372036854775807::int8, (-9223372036854775808)::bigint;
SELECT 9223372036854775808::int8;
SELECT '12abc'::int4;
SELECT ' 42 '::int4;
SELECT ''::int4;
SELECT 2147483647 + 1;
SELECT 2147483647::int8 + 1;
SELECT 9223372036854775807 + 1;
SELECT (-32768)::int2 * -1::int2;
SELECT 7 / 2, -7 / 2, 7 % 3, -7 % 3, 2 ^ 10;
SELECT pg_typeof(1), pg_typeof(2147483648), pg_typeof(1::int2 + 1::int2), pg_typeof(1.5);
SELECT 3.7::int4, 2.5::int4, -2.5::int4, 3.5::int8;
-- floating point
SELECT 1.5::float4, 0.1::float4, 1e10::real, 3.4028235e38::real;
SELECT 0.1::float8, 1e100::double precision, 1.0/3.0::float8, 2.0::float8;
SELECT 1e39::float4;
SELECT 'NaN'::float8, 'Infinity'::float8, '-Infinity'::float4, 'inf'::float8;
SELECT 0.1::float4::float8;
SELECT '1e400'::float8;
SELECT 'abc'::float8;
SELECT 1.0::float8 / 0;
SELECT 1::float8 / 0::float8;
SELECT 1e308::float8 * 10;
SELECT 123456789.123456789::float8, 1.23456789e-10::float8, 100::float4, 1e20::float8;
-- numeric
SELECT 1.50::numeric, 12.345::numeric(5,2), 0.1 + 0.2, 1::numeric / 3;
SELECT 123.456::numeric(10,1), -0.005::numeric(5,2), 1e3::numeric;
SELECT 12345.6::numeric(5,2);
SELECT 'NaN'::numeric, '  3.14  '::numeric;
SELECT 'x1'::numeric;
SELECT 10::numeric / 4, 2::numeric ^ 0.5, round(2.5), round(-2.5), round(1.2345, 2);
SELECT 1::numeric / 0;
SELECT sum(x), avg(x) FROM (VALUES (1.1), (2.2), (3.3)) t(x);
-- text, varchar, char
SELECT 'hello'::text, 'it''s'::text, E'tab\there', 'a' || 'b' || NULL;
SELECT 'abc'::varchar(5), 'abc'::varchar, 'abcdef'::varchar(3);
SELECT 'abc'::char(5), length('abc'::char(5)), 'abc'::char(5) = 'abc  '::char(5), 'abcdef'::char(3);
SELECT 'abc'::character(5) || 'x';
SELECT length('héllo'), upper('abc'), lower('ABC'), substr('abcdef', 2, 3), position('c' in 'abc');
SELECT 'x'::char, pg_typeof('x'::char), pg_typeof('x'::varchar(3)), pg_typeof('x'::char(3));
-- bytea
SELECT '\x0102ff'::bytea, 'abc'::bytea, '\000'::bytea;
SELECT length('\x0102ff'::bytea), '\x01'::bytea || '\x02'::bytea;
SELECT '\xzz'::bytea;
-- uuid
SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid;
SELECT 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid, '{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}'::uuid, 'a0eebc999c0b4ef8bb6d6bb9bd380a11'::uuid;
SELECT 'a0eebc99-9c0b-4ef8-bb6d'::uuid;
SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid = 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid;
-- date, timestamp, timestamptz (TimeZone is UTC, DateStyle ISO, MDY)
SELECT '2024-02-29'::date, 'infinity'::date, '-infinity'::date;
SELECT '2023-02-29'::date;
SELECT '2024-13-01'::date;
SELECT 'not a date'::date;
SELECT '2024-01-31'::date + 1, '2024-03-01'::date - 1, '2024-03-01'::date - '2024-01-01'::date;
SELECT '2024-05-06 07:08:09'::timestamp, '2024-05-06 07:08:09.123456'::timestamp, '2024-05-06'::timestamp;
SELECT '2024-05-06 07:08:09+02'::timestamptz, '2024-05-06 07:08:09.5'::timestamptz;
SELECT '2024-05-06 07:08:09+02'::timestamptz::timestamp, '2024-05-06 07:08:09'::timestamp::timestamptz;
SELECT '2024-05-06 07:08:09'::timestamp::date, '2024-05-06'::date::timestamp;
SELECT '2024-05-06 25:00:00'::timestamp;
SELECT 'infinity'::timestamp, '-infinity'::timestamptz;
SELECT '2024-05-06 07:08:09'::timestamp < '2024-05-06 07:08:10'::timestamp;
SELECT '1999-12-31 23:59:59.999999'::timestamp;
SELECT '0001-01-01 00:00:00'::timestamp, '4713-01-01 BC'::date;
-- json, jsonb
SELECT '{"a": 1, "b": [1, 2, null]}'::json;
SELECT '{"b": 2, "a": 1, "a": 3}'::json, '{"b": 2, "a": 1, "a": 3}'::jsonb;
SELECT '{"a": 1, "b": [1, 2, null], "c": {"d": "e"}}'::jsonb;
SELECT '[1, "two", true, null, 1.50]'::jsonb, '"str"'::jsonb, '42'::jsonb, 'null'::jsonb;
SELECT '{"a": }'::json;
SELECT '{bad'::jsonb;
SELECT '{"a": {"b": 2}}'::jsonb -> 'a', '{"a": {"b": 2}}'::jsonb ->> 'a', '{"a": {"b": 2}}'::jsonb -> 'a' ->> 'b';
SELECT '[10, 20, 30]'::jsonb -> 1, '{"a": 1}'::jsonb ? 'a', '{"a": 1, "b": 2}'::jsonb @> '{"a": 1}';
-- NULLs of every type
SELECT NULL::int2, NULL::int4, NULL::int8, NULL::float4, NULL::float8, NULL::numeric, NULL::text;
SELECT NULL::varchar(3), NULL::char(2), NULL::bytea, NULL::uuid, NULL::date, NULL::timestamp, NULL::timestamptz, NULL::json, NULL::jsonb;
SELECT NULL IS NULL, NULL = NULL, 1 IS DISTINCT FROM NULL, NULL::int IS NOT DISTINCT FROM NULL;
-- casts between types
SELECT 42::text, '42'::int8 + 1, 3.9::float8::int4, 100::int4::float4, true::int, 1::bool, 0::boolean;
SELECT 12.5::text, 'true'::text::bool, 1e2::int, '7'::numeric::float8;
SELECT CAST(1 AS text) || CAST(2.5 AS text);
SELECT '2024-01-02'::text::date, now() IS NOT NULL;
SELECT 'abc'::int;
SELECT 1::int::date;
-- a table with every type
CREATE TABLE alltypes (
  b bool, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, n numeric(10,2), t text,
  vc varchar(5), c char(3), by bytea, u uuid, d date, ts timestamp, tz timestamptz, j json, jb jsonb,
  s serial, bs bigserial
);
INSERT INTO alltypes (b, i2, i4, i8, f4, f8, n, t, vc, c, by, u, d, ts, tz, j, jb) VALUES
  (true, 1, 2, 3, 1.5, 2.25, 3.14159, 'text', 'vc', 'c', '\xdeadbeef', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
   '2024-01-02', '2024-01-02 03:04:05', '2024-01-02 03:04:05+00', '{"k": [1,2]}', '{"k": [1,2]}');
INSERT INTO alltypes (b) VALUES (NULL);
INSERT INTO alltypes (vc) VALUES ('toolong');
INSERT INTO alltypes (i2) VALUES (100000);
INSERT INTO alltypes (n) VALUES (123456789.5);
INSERT INTO alltypes (i4) VALUES ('x');
INSERT INTO alltypes (c) VALUES ('ab ');
SELECT * FROM alltypes ORDER BY s;
SELECT s, bs, pg_typeof(s), pg_typeof(bs) FROM alltypes ORDER BY s;
DROP TABLE alltypes;
