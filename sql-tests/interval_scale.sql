-- interval * and / float8 and avg(interval): PostgreSQL 15's cascade of fractional
-- months and days, each rounded to microseconds (TSROUND)
SELECT interval '1 month' / 7 AS a, interval '35 days 1 hour' / 3 AS b, interval '1 month 1 day' * 0.3 AS c;
SELECT interval '1 month 1 day' * 0.7 AS a, interval '3 months 7 days 05:00:01.5' / 3.3 AS b, interval '1 day' * 1.0000001 AS c;
SELECT interval '-1 month -3 days' / 7 AS a, interval '-5 days 3 hours' * -0.37 AS b;
SELECT avg(v) FROM (VALUES (interval '1 month'), (interval '5 days'), (interval '7 hours')) t(v);
SELECT avg(v) FROM (VALUES (interval '2 months 3 days'), (interval '1 month 5 days 01:00:00'), (interval '11 days 07:00:00'), (interval '3 months')) t(v);
SELECT avg(v) FROM generate_series(1, 7) g, LATERAL (SELECT g * interval '1 month 1 day 1 second') s(v);
SELECT interval '2147483647 months' * 2;
SELECT interval '1 day' / 0;
