-- B-tree range scans and ORDER BY ... LIMIT in index order on text, varchar, float and
-- numeric columns; LIKE 'prefix%'. Results only (plans are Quiver's golden plans).
CREATE TABLE br (id int PRIMARY KEY, t text, v varchar(20), f4 real, f8 float8, n numeric);
CREATE INDEX br_t ON br (t);
CREATE INDEX br_v ON br (v);
CREATE INDEX br_f4 ON br (f4);
CREATE INDEX br_f8 ON br (f8);
CREATE INDEX br_n ON br (n);
INSERT INTO br SELECT g, 'k' || (g % 700), 'v' || g, (g % 300) / 4.0, (g % 900) / 3.0 - 100, round((g % 800) / 7.0, g % 3)
  FROM generate_series(1, 3000) g;
INSERT INTO br VALUES (3001, NULL, NULL, 'NaN', 'NaN', 'NaN'), (3002, 'é1', 'Z', 'Infinity', 'Infinity', NULL),
  (3003, '😀', 'a', '-Infinity', '-Infinity', -5), (3004, 'k1', 'v1', NULL, NULL, 'NaN');
DELETE FROM br WHERE id % 13 = 0;
SELECT id, t FROM br WHERE t >= 'k69' AND t < 'k6991' ORDER BY id;
SELECT id, t FROM br WHERE t LIKE 'k12%' AND id < 800 ORDER BY id;
SELECT count(*) FROM br WHERE t LIKE 'k1_';
SELECT id, t FROM br WHERE t > 'k698' ORDER BY t, id LIMIT 12;
SELECT t FROM br WHERE t > 'a' ORDER BY t DESC LIMIT 5;
SELECT id, v FROM br WHERE v BETWEEN 'v299' AND 'v2995' ORDER BY id;
SELECT id, v FROM br WHERE v LIKE 'v100%' ORDER BY v;
SELECT id, f4 FROM br WHERE f4 > 74 ORDER BY f4 DESC, id LIMIT 8;
SELECT count(*) FROM br WHERE f4 >= 'NaN';
SELECT id, f8 FROM br WHERE f8 > 198 ORDER BY f8 DESC, id LIMIT 8;
SELECT id, f8 FROM br WHERE f8 < -99 ORDER BY f8, id LIMIT 8;
SELECT count(*) FROM br WHERE f8 >= 0 AND f8 <= 0;
SELECT id, n FROM br WHERE n BETWEEN 100 AND 100.5 ORDER BY n, id;
SELECT id, n FROM br WHERE n > 113 ORDER BY n DESC, id LIMIT 8;
SELECT id, n FROM br WHERE n < 0.2 ORDER BY n, id LIMIT 8;
-- a nullable column without a range: NULLs last ascending, first descending
SELECT id, t FROM br ORDER BY t DESC, id LIMIT 3;
SELECT t FROM br ORDER BY t DESC LIMIT 3;
SELECT t FROM br ORDER BY t LIMIT 3 OFFSET 2770;
SELECT f8 FROM br ORDER BY f8 DESC LIMIT 4;
SELECT n FROM br ORDER BY n LIMIT 4 OFFSET 2769;
-- keyset pagination
SELECT t FROM br WHERE t > 'k500' ORDER BY t LIMIT 5;
SELECT f8 FROM br WHERE f8 > 150 ORDER BY f8 LIMIT 6;
DROP TABLE br;
