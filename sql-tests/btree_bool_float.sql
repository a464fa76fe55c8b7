-- Boolean columns and float equality through B-tree indexes: `flag`, `NOT flag`,
-- `flag IS TRUE / FALSE`, `flag = $1` as PostgreSQL's btree takes them, a boolean in a
-- multi-column key, float4 against float8 values, -0, NaN. Results only (plans are
-- Quiver's golden plans, test/plans/btree-ranges.txt).
CREATE TABLE bbf (id int PRIMARY KEY, flag bool, n int, f4 real, f8 float8);
CREATE INDEX bbf_flag ON bbf (flag);
CREATE INDEX bbf_n_flag ON bbf (n, flag);
CREATE INDEX bbf_f4 ON bbf (f4);
CREATE INDEX bbf_f8 ON bbf (f8);
INSERT INTO bbf SELECT g, CASE WHEN g % 211 = 0 THEN NULL ELSE g % 97 = 0 END, g % 1000,
    CASE WHEN g % 101 = 0 THEN '-0' WHEN g % 103 = 0 THEN 'NaN' ELSE (g % 800) / 4.0 END,
    CASE WHEN g % 107 = 0 THEN '-0' WHEN g % 109 = 0 THEN 'NaN' ELSE (g % 900) / 8.0 END
  FROM generate_series(1, 12000) g;
INSERT INTO bbf SELECT g, g % 50 = 0, g % 1000, (g % 800) / 4.0, (g % 900) / 8.0 FROM generate_series(12001, 12400) g;
INSERT INTO bbf VALUES (12401, true, 1, 0.1, 0.1), (12402, NULL, 1, 0.1, NULL);
DELETE FROM bbf WHERE id % 17 = 0;
UPDATE bbf SET flag = NOT flag WHERE id % 29 = 0;
ANALYZE bbf;
SELECT count(*) FROM bbf WHERE flag;
SELECT count(*) FROM bbf WHERE flag;
SELECT id FROM bbf WHERE flag IS TRUE AND id > 11000 ORDER BY id;
SELECT count(*) FROM bbf WHERE NOT flag;
SELECT count(*) FROM bbf WHERE flag IS FALSE;
SELECT count(*) FROM bbf WHERE flag IS NOT TRUE;
SELECT count(*) FROM bbf WHERE flag = true;
SELECT id, flag FROM bbf WHERE n = 97 AND NOT flag ORDER BY id;
SELECT id, flag FROM bbf WHERE n = 194 AND flag ORDER BY id;
SELECT id FROM bbf WHERE n = 422 AND flag IS NULL ORDER BY id;
SELECT n, flag FROM bbf WHERE n >= 996 ORDER BY n, flag LIMIT 12;
SELECT n, flag FROM bbf WHERE n <= 1 ORDER BY n DESC, flag DESC LIMIT 12;
SELECT flag FROM bbf WHERE flag ORDER BY flag LIMIT 3;
SELECT id, f4 FROM bbf WHERE f4 = 3.25 ORDER BY id;
SELECT id, f4 FROM bbf WHERE f4 = 0.1 ORDER BY id;
SELECT id, f8 FROM bbf WHERE f8 = 0.1 ORDER BY id;
SELECT id, f4 FROM bbf WHERE f4 = 0.1::real ORDER BY id;
SELECT count(*) FROM bbf WHERE f4 = 0;
SELECT count(*) FROM bbf WHERE f4 = '-0';
SELECT count(*) FROM bbf WHERE f4 = 'NaN';
SELECT id, f8 FROM bbf WHERE f8 = 112.375 ORDER BY id;
SELECT count(*) FROM bbf WHERE f8 = 0;
SELECT count(*) FROM bbf WHERE f8 = 'NaN'::float8;
DROP TABLE bbf;
