-- tableoid: the OID of the table (partition) a row lives in
CREATE TABLE toid_parted (id int, k text) PARTITION BY LIST (k);
CREATE TABLE toid_a PARTITION OF toid_parted FOR VALUES IN ('a');
CREATE TABLE toid_b PARTITION OF toid_parted FOR VALUES IN ('b', 'c');
CREATE TABLE toid_plain (id int);
INSERT INTO toid_parted VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'a'), (5, 'b');
INSERT INTO toid_plain VALUES (1), (2);
SELECT tableoid::regclass, count(*) FROM toid_parted GROUP BY 1 ORDER BY 1;
SELECT p.tableoid::regclass AS part, p.id FROM toid_parted p WHERE p.id > 2 ORDER BY p.id;
SELECT tableoid::regclass, id FROM toid_plain ORDER BY id;
SELECT tableoid = 'toid_plain'::regclass FROM toid_plain LIMIT 1;
SELECT * FROM toid_plain ORDER BY id;
SELECT tableoid::regclass, id FROM toid_a ORDER BY id;
SELECT count(*) FROM toid_parted WHERE tableoid = 'toid_b'::regclass;
SELECT a.id, a.tableoid::regclass, b.tableoid::regclass FROM toid_parted a JOIN toid_plain b ON a.id = b.id ORDER BY a.id;
SELECT tableoid FROM toid_plain a, toid_plain b;
SELECT (SELECT count(*) FROM toid_parted WHERE tableoid = t.tableoid) FROM toid_plain t LIMIT 1;
DROP TABLE toid_parted;
DROP TABLE toid_plain;
