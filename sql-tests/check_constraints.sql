-- CHECK constraints: column and table level, names, NULL passes, INSERT / UPDATE / ON CONFLICT / COPY, ALTER TABLE
\set QUIET off
CREATE TABLE ckt (a int CHECK (a > 0), b int, c numeric, CHECK (a < b), CHECK (c > 1 AND b > 0), CONSTRAINT named CHECK (b <> 5));
SELECT conname, contype FROM pg_constraint WHERE conrelid = 'ckt'::regclass ORDER BY conname;
INSERT INTO ckt VALUES (1, 2, 3);
INSERT INTO ckt VALUES (-1, 2, 3);
INSERT INTO ckt VALUES (1, 5, 3);
INSERT INTO ckt VALUES (3, 2, 3);
INSERT INTO ckt VALUES (1, 2, 0.5);
INSERT INTO ckt VALUES (NULL, NULL, NULL);
UPDATE ckt SET a = 10 WHERE a = 1;
UPDATE ckt SET b = 100 WHERE a = 1;
SELECT * FROM ckt ORDER BY a NULLS LAST;
COPY ckt FROM stdin;
7	8	9
-7	8	9
\.
COPY ckt FROM stdin;
7	8	9
\.
SELECT * FROM ckt ORDER BY a NULLS LAST;
CREATE TABLE ckt2 (id int PRIMARY KEY, v int CHECK (v >= 0));
INSERT INTO ckt2 VALUES (1, 1);
INSERT INTO ckt2 VALUES (1, -1) ON CONFLICT (id) DO UPDATE SET v = excluded.v;
INSERT INTO ckt2 VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET v = excluded.v;
ALTER TABLE ckt2 ADD CONSTRAINT v_small CHECK (v < 2);
ALTER TABLE ckt2 ADD CONSTRAINT v_small CHECK (v < 10);
INSERT INTO ckt2 VALUES (2, 20);
ALTER TABLE ckt2 DROP CONSTRAINT v_small;
INSERT INTO ckt2 VALUES (2, 20);
SELECT * FROM ckt2 ORDER BY id;
CREATE TABLE ckt3 (a int CHECK (nosuch > 0));
DROP TABLE ckt, ckt2;
-- COPY: a NOT NULL violation shows the row text
CREATE TABLE cpnn (a int NOT NULL, b int);
COPY cpnn FROM stdin;
1	2
\N	3
\.
SELECT count(*) FROM cpnn;
DROP TABLE cpnn;
