-- inet / cidr / macaddr / macaddr8 columns: keys, indexes, COPY, statistics, catalogs, hash partitions
CREATE TABLE hosts (ip inet PRIMARY KEY, net cidr, mac macaddr UNIQUE, mac8 macaddr8, note text);
CREATE INDEX hosts_net ON hosts (net);
CREATE INDEX hosts_mac8 ON hosts (mac8);
INSERT INTO hosts SELECT ('10.0.' || (g / 256) || '.' || (g % 256))::inet, ('10.0.' || (g / 256) || '.0/24')::cidr,
  ('08:00:2b:00:' || lpad(to_hex(g / 256), 2, '0') || ':' || lpad(to_hex(g % 256), 2, '0'))::macaddr,
  ('08:00:2b:01:02:03:' || lpad(to_hex(g / 256), 2, '0') || ':' || lpad(to_hex(g % 256), 2, '0'))::macaddr8, 'h' || g
  FROM generate_series(1, 1000) g;
INSERT INTO hosts VALUES ('2001:db8::1', '2001:db8::/64', '00:00:00:00:00:01', '00:00:00:00:00:00:00:01', 'v6'),
  ('::ffff:10.0.0.1', '::ffff:10.0.0.0/120', '00:00:00:00:00:02', NULL, 'mapped'), ('10.0.0.1/8', '10.0.0.0/8', NULL, NULL, 'masked');
INSERT INTO hosts VALUES ('10.0.0.1', NULL, NULL, NULL, 'dup');
INSERT INTO hosts VALUES ('10.0.0.1/32', NULL, NULL, NULL, 'dup');
INSERT INTO hosts VALUES ('1.1.1.1', NULL, '08:00:2b:00:00:01', NULL, 'dup mac');
INSERT INTO hosts VALUES ('1.1.1.1', NULL, '08002b000001', NULL, 'dup mac');
SELECT count(*), count(DISTINCT net), min(ip), max(ip), min(net), max(net) FROM hosts;
SELECT * FROM hosts WHERE ip = '10.0.1.7';
SELECT * FROM hosts WHERE ip = '10.0.0.1/8';
SELECT note FROM hosts WHERE mac = '08-00-2b-00-02-0a';
SELECT note FROM hosts WHERE mac8 = '08:00:2b:01:02:03:03:e8';
SELECT count(*) FROM hosts WHERE net = '10.0.2.0/24';
SELECT ip FROM hosts WHERE ip > '10.0.3.230' ORDER BY ip;
SELECT ip FROM hosts WHERE ip BETWEEN '10.0.0.250' AND '10.0.1.3' ORDER BY ip DESC;
SELECT ip, note FROM hosts WHERE ip << '10.0.2.0/30' ORDER BY ip;
SELECT ip, note FROM hosts WHERE ip <<= '10.0.0.0/8' AND note NOT LIKE 'h%' ORDER BY ip;
SELECT ip, note FROM hosts WHERE ip >>= '10.0.0.1' ORDER BY ip;
SELECT family(ip), count(*) FROM hosts GROUP BY 1 ORDER BY 1;
SELECT ip FROM hosts ORDER BY ip DESC LIMIT 4;
SELECT mac FROM hosts WHERE mac IS NOT NULL ORDER BY mac LIMIT 3;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM hosts WHERE ip = '10.0.1.7';
EXPLAIN (COSTS OFF) SELECT ip FROM hosts WHERE ip > '10.0.3.230' AND ip < '10.0.3.240';
EXPLAIN (COSTS OFF) SELECT note FROM hosts WHERE mac = '08:00:2b:00:02:0a';
EXPLAIN (COSTS OFF) SELECT note FROM hosts WHERE mac8 >= '08:00:2b:01:02:03:03:e0';
EXPLAIN (COSTS OFF) SELECT count(*) FROM hosts WHERE net = '10.0.2.0/24';
EXPLAIN (COSTS OFF) SELECT ip FROM hosts WHERE ip << '10.0.2.0/30';
EXPLAIN (COSTS OFF) SELECT * FROM hosts WHERE '10.0.3.0/28' >>= ip;
EXPLAIN (COSTS OFF) SELECT count(*) FROM hosts WHERE net <<= '10.0.0.0/23';
EXPLAIN (COSTS OFF) SELECT ip FROM hosts WHERE ip <<= '2001:db8::/32';
SELECT ip FROM hosts WHERE ip > '10.0.3.230' AND ip < '10.0.3.240' ORDER BY ip;
SELECT ip FROM hosts WHERE ip << '10.0.2.0/30' ORDER BY ip;
SELECT ip, note FROM hosts WHERE '10.0.3.0/28' >>= ip ORDER BY ip;
SELECT count(*) FROM hosts WHERE net <<= '10.0.0.0/23';
SELECT ip FROM hosts WHERE ip <<= '2001:db8::/32';
SELECT note FROM hosts WHERE mac8 >= '08:00:2b:01:02:03:03:e0' ORDER BY mac8;
SELECT count(*) FROM hosts WHERE net = '10.0.2.0/24';
RESET enable_seqscan;
RESET enable_bitmapscan;
UPDATE hosts SET ip = ip + 65536 WHERE ip << '10.0.3.0/24' AND ip > '10.0.3.200';
DELETE FROM hosts WHERE ip <<= '10.0.0.0/24';
SELECT count(*), min(ip), max(ip) FROM hosts;
SELECT ip, net FROM hosts WHERE ip > '10.1.0.0' ORDER BY ip LIMIT 3;
-- COPY
CREATE TABLE netcopy (i inet, c cidr, m macaddr, m8 macaddr8, ia inet[]);
COPY netcopy FROM STDIN;
192.168.1.5/24	192.168.1.0/24	08:00:2b:01:02:03	08:00:2b:01:02:03:04:05	{1.2.3.4,::1}
::ffff:1.2.3.4	::ffff:1.2.3.0/120	0800.2b01.0203	08002b010203	{}
\N	\N	\N	\N	\N
\.
COPY netcopy FROM STDIN;
1.2.3.4/24	1.2.3.4/24	08:00:2b:01:02:03	08:00:2b:01:02:03:04:05	{}
\.
COPY netcopy TO STDOUT;
COPY (SELECT i, c, abbrev(c), m, m8 FROM netcopy ORDER BY i) TO STDOUT WITH (FORMAT csv, HEADER);
-- statistics
ANALYZE hosts;
SELECT attname, null_frac, avg_width, n_distinct FROM pg_stats WHERE tablename = 'hosts' ORDER BY attname;
SELECT histogram_bounds IS NOT NULL AS has_histogram, most_common_vals FROM pg_stats WHERE tablename = 'hosts' AND attname = 'net';
CREATE TABLE netstats (i inet, m macaddr);
INSERT INTO netstats SELECT CASE WHEN g % 3 = 0 THEN '10.0.0.1'::inet WHEN g % 3 = 1 THEN '::1'::inet ELSE NULL END, '08:00:2b:01:02:03' FROM generate_series(1, 30) g;
ANALYZE netstats;
SELECT attname, null_frac, avg_width, n_distinct, most_common_vals, most_common_freqs, histogram_bounds, correlation FROM pg_stats WHERE tablename = 'netstats' ORDER BY attname;
-- row estimates: scalarineqsel with convert_network_to_scalar, networksel for the inclusion and overlap operators
CREATE TABLE est (ip inet, net cidr, m macaddr);
INSERT INTO est SELECT '10.0.0.0'::inet + (g * 7), network(set_masklen('10.0.0.0'::inet + (g * 7), 24 - g % 3)), ('08:00:2b:00:' || lpad(to_hex(g / 256), 2, '0') || ':' || lpad(to_hex(g % 256), 2, '0'))::macaddr FROM generate_series(1, 2000) g;
INSERT INTO est SELECT '192.168.0.1', '192.168.0.0/16', NULL FROM generate_series(1, 300);
ANALYZE est;
EXPLAIN SELECT * FROM est WHERE ip < '10.0.12.100';
EXPLAIN SELECT * FROM est WHERE ip >= '10.0.40.1';
EXPLAIN SELECT * FROM est WHERE m < '08:00:2b:00:03:10';
EXPLAIN SELECT * FROM est WHERE ip << '10.0.0.0/20';
EXPLAIN SELECT * FROM est WHERE ip <<= '10.0.16.0/22';
EXPLAIN SELECT * FROM est WHERE '10.0.0.0/18' >> ip;
EXPLAIN SELECT * FROM est WHERE ip >>= '10.0.0.7';
EXPLAIN SELECT * FROM est WHERE ip && '192.168.0.0/24';
EXPLAIN SELECT * FROM est WHERE net >> '10.0.3.7';
EXPLAIN SELECT * FROM est WHERE net << '10.0.0.0/16';
EXPLAIN SELECT * FROM est WHERE net && '10.0.64.0/19';
EXPLAIN SELECT * FROM est WHERE ip = '10.0.0.7';
DROP TABLE est;
-- hash indexes, and operator classes named (pg_get_indexdef leaves out the default one)
CREATE TABLE hx (ip inet, c cidr, m macaddr);
CREATE INDEX hx_h ON hx USING hash (ip);
CREATE INDEX hx_o ON hx (ip inet_ops);
CREATE INDEX hx_c ON hx (c cidr_ops);
CREATE INDEX hx_m ON hx USING hash (m);
INSERT INTO hx VALUES ('1.2.3.4', '1.2.3.0/24', '08:00:2b:01:02:03');
SELECT * FROM hx WHERE ip = '1.2.3.4' AND m = '08:00:2b:01:02:03';
SELECT indexdef FROM pg_indexes WHERE tablename = 'hx' ORDER BY indexname;
DROP TABLE hx;
-- catalogs
SELECT oid, typname, typlen, typbyval, typcategory, typispreferred, typalign, typinput, typoutput, typreceive, typsend, typarray::regtype
  FROM pg_type WHERE typname IN ('inet', 'cidr', 'macaddr', 'macaddr8', '_inet', '_cidr', '_macaddr', '_macaddr8') ORDER BY oid;
SELECT castsource::regtype, casttarget::regtype, castfunc::regprocedure, castcontext, castmethod FROM pg_cast
  WHERE castsource IN ('inet'::regtype, 'cidr'::regtype, 'macaddr'::regtype, 'macaddr8'::regtype) ORDER BY 1, 2;
SELECT oprname, oprleft::regtype, oprright::regtype, oprresult::regtype, oprcode, oprcom::regoperator, oprnegate::regoperator
  FROM pg_operator WHERE oprleft = 'inet'::regtype OR oprright = 'inet'::regtype ORDER BY oprname, oprleft, oprright;
SELECT p.oid::regprocedure, p.prorettype::regtype, obj_description(p.oid, 'pg_proc') FROM pg_proc p
  WHERE p.proname IN ('abbrev', 'broadcast', 'family', 'host', 'hostmask', 'inet_merge', 'inet_same_family', 'masklen', 'netmask', 'network', 'set_masklen', 'macaddr8_set7bit', 'trunc')
  ORDER BY p.oid::regprocedure::text;
SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE a.attrelid = 'netcopy'::regclass AND a.attnum > 0 ORDER BY a.attnum;
SELECT c.relname, o.opcname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_opclass o ON o.oid = i.indclass[0]
  WHERE i.indrelid = 'hosts'::regclass ORDER BY 1;
\d hosts
-- hash partitions route as PostgreSQL's hashinetextended / hashmacaddrextended do
CREATE TABLE nethash (i inet, m macaddr) PARTITION BY HASH (i);
CREATE TABLE nethash0 PARTITION OF nethash FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE nethash1 PARTITION OF nethash FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE nethash2 PARTITION OF nethash FOR VALUES WITH (MODULUS 3, REMAINDER 2);
INSERT INTO nethash VALUES ('10.0.0.1', '08:00:2b:01:02:03'), ('10.0.0.2/24', '08:00:2b:01:02:04'), ('::1', '00:00:00:00:00:00'),
  ('2001:db8::/32', 'ff:ff:ff:ff:ff:ff'), ('192.168.0.0/16', '01:02:03:04:05:06'), ('0.0.0.0/0', 'ab:cd:ef:01:23:45');
SELECT tableoid::regclass, i FROM nethash ORDER BY i;
CREATE TABLE machash (m macaddr, m8 macaddr8) PARTITION BY HASH (m);
CREATE TABLE machash0 PARTITION OF machash FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE machash1 PARTITION OF machash FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO machash SELECT m, m FROM nethash;
SELECT tableoid::regclass, m FROM machash ORDER BY m;
DROP TABLE machash;
DROP TABLE nethash;
DROP TABLE netstats;
DROP TABLE netcopy;
DROP TABLE hosts;
