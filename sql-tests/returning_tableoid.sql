-- RETURNING tableoid names the table (the leaf partition) each row is stored in
CREATE TABLE rt_plain (a int, b text);
INSERT INTO rt_plain VALUES (1, 'x') RETURNING tableoid::regclass, *;
UPDATE rt_plain SET a = 2 RETURNING tableoid::regclass, a, b;
DELETE FROM rt_plain RETURNING tableoid::regclass AS t, a;
CREATE TABLE rt_parted (k int, v text) PARTITION BY RANGE (k);
CREATE TABLE rt_low PARTITION OF rt_parted FOR VALUES FROM (0) TO (10);
CREATE TABLE rt_high PARTITION OF rt_parted FOR VALUES FROM (10) TO (100);
INSERT INTO rt_parted VALUES (1, 'a'), (15, 'b'), (7, 'c') RETURNING tableoid::regclass, k, v;
-- a changed partition key moves the row: RETURNING sees the new partition
UPDATE rt_parted SET k = k + 5 RETURNING tableoid::regclass, k;
DELETE FROM rt_parted WHERE k > 10 RETURNING tableoid::regclass, k, v;
INSERT INTO rt_parted VALUES (3, 'd') RETURNING *;
SELECT tableoid::regclass, k FROM rt_parted ORDER BY k;
DROP TABLE rt_parted;
DROP TABLE rt_plain;
