-- COPY FROM STDIN / TO STDOUT (text and csv) through psql
CREATE TABLE cp (id int PRIMARY KEY, name text, score float8, embedding vector(3));
COPY cp FROM stdin;
1	alpha	1.5	[1,2,3]
2	beta	\N	[4,5,6]
3	with\ttab	-2	[0,0,1]
\.
COPY cp (id, name) FROM stdin;
4	only name
\.
COPY cp FROM stdin WITH (FORMAT csv);
5,"quoted, comma",3.25,"[1,1,1]"
6,,0,"[2,2,2]"
\.
COPY cp FROM stdin WITH (FORMAT csv, HEADER true);
id,name,score,embedding
7,header skipped,7,"[7,7,7]"
\.
SELECT * FROM cp ORDER BY id;
COPY cp TO stdout;
COPY cp (id, embedding) TO stdout WITH (FORMAT csv, HEADER);
COPY (SELECT id, embedding <-> '[1,2,3]' AS d FROM cp WHERE embedding IS NOT NULL ORDER BY d, id LIMIT 3) TO stdout WITH (FORMAT csv);
-- errors
COPY cp FROM stdin;
8	bad vector	1	[1,2]
\.
COPY cp FROM stdin;
1	duplicate	1	[1,2,3]
\.
COPY cp FROM stdin;
9	too few columns
\.
COPY no_such_table FROM stdin;
\.
COPY no_such_table TO stdout;
COPY cp (no_such_column) TO stdout;
COPY cp (no_such_column) FROM stdin;
\.
SELECT count(*) FROM cp;
DROP TABLE cp;
-- names that need quoting: COPY table TO reads the table by name, never through SQL text
CREATE TABLE "Odd ""Name""" ("Id" int, "a""b" text, "select" text);
INSERT INTO "Odd ""Name""" VALUES (1, 'x', 'y');
COPY "Odd ""Name""" TO stdout;
COPY public."Odd ""Name""" ("a""b", "Id") TO stdout WITH (FORMAT csv, HEADER);
COPY "Odd ""Name""" ("select") TO stdout;
DROP TABLE "Odd ""Name""";
