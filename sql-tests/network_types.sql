-- inet, cidr, macaddr, macaddr8: input normalization and errors, output, operators, functions, casts
SELECT '192.168.1.5'::inet, '192.168.1.5/24'::inet, '192.168.1.5/32'::inet, '10/8'::inet, '10.1/16'::inet, '0.0.0.0/0'::inet;
SELECT '::1'::inet, '::'::inet, '2001:db8::1/64'::inet, '2001:0DB8:0000:0000:0000:0000:0000:0001'::inet, 'fe80::1:2:3:4/128'::inet;
SELECT '::ffff:1.2.3.4'::inet, '::1.2.3.4'::inet, '::ffff:1.2.3.4/120'::inet, '1:2:3:4:5:6:7:8'::inet, '1::8'::inet, '1:0:0:2::3'::inet;
SELECT '0:0:0:0:0:0:0:1'::inet, '::0.0.0.1'::inet, '::ffff:0:0'::inet, '1:2:3:4:5:6:1.2.3.4'::inet, 'a:b::'::inet;
SELECT '192.168.1.0/24'::cidr, '192.168/16'::cidr, '10'::cidr, '128'::cidr, '192'::cidr, '224'::cidr, '224.1'::cidr, '240'::cidr;
SELECT '10.1.2'::cidr, '1.2.3.4'::cidr, '0x0a'::cidr, '0xC0A8'::cidr, '0.0.0.0/0'::cidr, '2001:db8::/32'::cidr, '::/0'::cidr;
SELECT '::ffff:1.2.3.0/120'::cidr, '::ffff:1.2.0.0/112'::cidr, '::ffff:1.2.3.4/128'::cidr, '::1.2.3.0/120'::cidr;
-- bad input
SELECT '192.168.1.300'::inet;
SELECT '192.168.1'::inet;
SELECT '192.168.1.5/33'::inet;
SELECT ' 1.2.3.4'::inet;
SELECT '1.2.3.4 '::inet;
SELECT ''::inet;
SELECT 'abc'::inet;
SELECT '1.2.3.4.5'::inet;
SELECT '1:2:3:4:5:6:7:8:9'::inet;
SELECT '1::2::3'::inet;
SELECT '::1/129'::inet;
SELECT '::1/08'::inet;
SELECT '::ffff:1.02.3.4'::inet;
SELECT '12345::'::inet;
SELECT '1.2.3.4/'::inet;
SELECT '1.2./16'::inet, '1.2.3/24'::inet;
SELECT '1.2.'::cidr;
SELECT '1..2'::cidr;
SELECT '192.168.1.5/24'::cidr;
SELECT '2001:db8::1/64'::cidr;
SELECT '10.0.0.0/7'::cidr;
SELECT '1.2.3.4/33'::cidr;
SELECT 'x'::cidr;
-- arrays
SELECT '{192.168.1.1/24,::1,NULL}'::inet[], '{10/8,2001:db8::/32}'::cidr[], ARRAY['1.2.3.4'::inet, '5.6.7.8/16'];
SELECT pg_typeof('1.2.3.4'::inet), pg_typeof('1.2.3.4'::cidr), pg_typeof('{1.2.3.4}'::inet[]), format_type('inet'::regtype, -1), format_type('_cidr'::regtype, -1);
-- comparison and order (network_cmp: common bits, then mask length, then the whole address; IPv4 first)
CREATE TABLE nt (id int, i inet, c cidr);
INSERT INTO nt VALUES
  (1, '192.168.1.5/24', '192.168.1.0/24'), (2, '192.168.1.5', '192.168.1.5/32'), (3, '192.168.1.0/24', '192.168.0.0/16'),
  (4, '10.0.0.1/8', '10.0.0.0/8'), (5, '10.0.0.1', '10.0.0.1/32'), (6, '::1', '::1/128'), (7, '2001:db8::1/64', '2001:db8::/64'),
  (8, '2001:db8::2/32', '2001:db8::/32'), (9, '::ffff:192.168.1.5', '::ffff:192.168.1.0/120'), (10, '0.0.0.0/0', '0.0.0.0/0'),
  (11, '255.255.255.255', '255.255.255.255/32'), (12, NULL, NULL), (13, '192.168.1.255/24', '192.168.1.0/25'), (14, '192.168.1.5/25', '192.168.1.128/25');
SELECT id, i FROM nt ORDER BY i, id;
SELECT id, c FROM nt ORDER BY c DESC, id;
SELECT a.id, b.id, a.i < b.i AS lt, a.i <= b.i AS le, a.i = b.i AS eq, a.i >= b.i AS ge, a.i > b.i AS gt, a.i <> b.i AS ne,
       a.i << b.i AS sub, a.i <<= b.i AS subeq, a.i >> b.i AS sup, a.i >>= b.i AS supeq, a.i && b.i AS overlap, network_cmp(a.i, b.i) AS cmp
  FROM nt a, nt b WHERE a.id IN (1, 3, 4, 7, 10) AND b.id IN (1, 2, 3, 8, 9, 14) ORDER BY a.id, b.id;
SELECT id, c, c << '192.168.0.0/16' AS sub, c >>= '192.168.1.5' AS supeq, c = '10.0.0.0/8'::cidr AS eq, c && '2001:db8::/48' AS ov FROM nt ORDER BY id;
SELECT '192.168.1.5/24'::inet = '192.168.1.5/24'::cidr::inet, '192.168.1.0/24'::cidr = '192.168.1.0/24'::inet;
-- functions
SELECT id, i, abbrev(i), broadcast(i), family(i), host(i), hostmask(i), masklen(i), netmask(i), network(i), text(i) FROM nt ORDER BY id;
SELECT id, c, abbrev(c), broadcast(c), host(c), hostmask(c), masklen(c), netmask(c), network(c), text(c), c::text FROM nt ORDER BY id;
SELECT abbrev('10.1.0.0/16'::cidr), abbrev('10.1.0.0/16'::inet), abbrev('10.1.128.0/17'::cidr), abbrev('2001:db8::/32'::cidr), abbrev('::/0'::cidr),
       abbrev('0.0.0.0/0'::cidr), abbrev('::ffff:1.2.0.0/112'::cidr), abbrev('::ffff:1.2.3.0/120'::cidr), abbrev('::1.2.3.0/120'::cidr),
       abbrev('ab::/16'::cidr), abbrev('ab:cd::/24'::cidr), abbrev('2001:db8:0:1::/64'::cidr), abbrev('1:0:0:0:0:0:0:0/80'::cidr);
SELECT set_masklen('192.168.1.5/24'::inet, 16), set_masklen('192.168.1.5/24'::inet, -1), set_masklen('192.168.1.0/24'::cidr, 16),
       set_masklen('192.168.1.0/24'::cidr, 28), set_masklen('2001:db8::1/64'::inet, 128), set_masklen('2001:db8::/64'::cidr, 20), set_masklen('10.0.0.0/8'::cidr, -1);
SELECT set_masklen('192.168.1.5/24'::inet, 33);
SELECT set_masklen('::1'::inet, 129);
SELECT set_masklen('10.0.0.0/8'::cidr, -2);
SELECT inet_merge('192.168.1.5/24', '192.168.2.5/24'), inet_merge('10.0.0.1', '10.0.0.1'), inet_merge('10.1.2.3/8', '11.1.2.3'),
       inet_merge('2001:db8::1', '2001:db8::ff'), inet_merge('0.0.0.0/0', '255.0.0.0');
SELECT inet_merge('10.0.0.1', '::1');
SELECT inet_same_family('10.0.0.1', '::1'), inet_same_family('10.0.0.1', '10/8'), inet_same_family('::1', '::2');
SELECT cidr('192.168.1.5/24'::inet), cidr('2001:db8::1/64'::inet), '192.168.1.5/24'::inet::cidr, cidr('10.0.0.0/8'), text('10.0.0.0/8'::cidr);
SELECT cidr('192.168.1.5/24');
-- bitwise and arithmetic
SELECT ~'192.168.1.5/24'::inet, ~'::1'::inet, '192.168.1.5/24'::inet & '255.255.0.0/16', '192.168.1.5/24'::inet | '0.0.0.255',
       '2001:db8::1'::inet & 'ffff:ffff::', '::1/64'::inet | '::ff00/120';
SELECT '10.0.0.1'::inet & '::1';
SELECT '10.0.0.1'::inet | '::1';
SELECT '192.168.1.5/24'::inet + 10, 10 + '192.168.1.5/24'::inet, '192.168.1.5/24'::inet - 10, '192.168.1.250'::inet + 10,
       '0.0.0.0'::inet + 4294967295, '::1'::inet + 65535, '::'::inet - -1, '10.0.0.0/8'::cidr + 256;
SELECT '255.255.255.255'::inet + 1;
SELECT '0.0.0.0'::inet - 1;
SELECT 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'::inet + 1;
SELECT '192.168.1.5'::inet - '192.168.1.1'::inet, '192.168.1.1'::inet - '192.168.1.5'::inet, '255.255.255.255'::inet - '0.0.0.0'::inet,
       '::ffff'::inet - '::1'::inet, '::1'::inet - '::ffff'::inet, 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'::inet - '::'::inet,
       '::1:0:0:0:0'::inet - '::'::inet;
SELECT '1::'::inet - '::'::inet;
SELECT '10.0.0.1'::inet - '::1'::inet;
-- casts
SELECT '192.168.1.5/24'::inet::text, '192.168.1.5'::inet::text, '10.0.0.0/8'::cidr::text, '192.168.1.5/24'::inet::varchar, '::1'::inet::char(12);
SELECT '192.168.1.5/24'::text::inet, '10/8'::text::cidr, '10/8'::varchar::inet, CAST('1.2.3.4' AS inet) = '1.2.3.4/32';
SELECT '10.1.2.3'::text::cidr;
CREATE TABLE ntc (t text, v varchar(20), b char(20));
INSERT INTO ntc VALUES ('192.168.1.5/24'::inet, '10.0.0.0/8'::cidr, '::1'::inet);
SELECT * FROM ntc;
DROP TABLE ntc;
-- aggregates
SELECT min(i), max(i), min(c), max(c), count(DISTINCT i), pg_typeof(max(c)) FROM nt;
SELECT family(i) AS f, min(i), max(i), count(*) FROM nt WHERE i IS NOT NULL GROUP BY family(i) ORDER BY f;
SELECT DISTINCT network(i) AS n FROM nt WHERE family(i) = 4 ORDER BY n;
SELECT array_agg(i ORDER BY i) FROM nt WHERE id < 6;
SELECT i, count(*) FROM (VALUES ('1.2.3.4'::inet), ('1.2.3.4/32'), ('1.2.3.4/24'), ('::1')) v(i) GROUP BY i ORDER BY i;
-- macaddr
SELECT '08:00:2b:01:02:03'::macaddr, '08-00-2b-01-02-03'::macaddr, '08002b:010203'::macaddr, '08002b-010203'::macaddr,
       '0800.2b01.0203'::macaddr, '0800-2b01-0203'::macaddr, '08002b010203'::macaddr, '8:0:2B:1:2:3'::macaddr, ' 08:00:2b:01:02:03 '::macaddr;
SELECT '08:00:2b:01:02'::macaddr;
SELECT '08:00:2b:01:02:03:04'::macaddr;
SELECT '08:00:2b:01:02:100'::macaddr;
SELECT '08:00:2b:01:02:0g'::macaddr;
SELECT '0800.2b01.020'::macaddr;
SELECT 'not a mac'::macaddr;
SELECT trunc('08:00:2b:01:02:03'::macaddr), ~'08:00:2b:01:02:03'::macaddr, '08:00:2b:01:02:03'::macaddr & 'ff:ff:ff:00:00:00',
       '08:00:2b:01:02:03'::macaddr | '00:00:00:ff:00:00', macaddr_cmp('08:00:2b:01:02:03', '08:00:2b:01:02:04');
SELECT a < b, a <= b, a = b, a >= b, a > b, a <> b FROM (VALUES ('08:00:2b:01:02:03'::macaddr, '08:00:2b:01:02:04'::macaddr),
  ('ff:00:00:00:00:00', '00:ff:ff:ff:ff:ff'), ('01:02:03:04:05:06', '01:02:03:04:05:06')) v(a, b);
-- macaddr8
SELECT '08:00:2b:01:02:03:04:05'::macaddr8, '08-00-2b-01-02-03-04-05'::macaddr8, '08002b0102030405'::macaddr8, '0800.2b01.0203.0405'::macaddr8,
       '08:00:2b:01:02:03'::macaddr8, '08002b010203'::macaddr8, ' 08:00:2B:01:02:03:04:05  '::macaddr8, '08:00:2b:01:02:03:0'::macaddr8;
SELECT '08:00:2b:01:02:03:04'::macaddr8;
SELECT '08:00:2b:01:02:03:04:05:06'::macaddr8;
SELECT '08:00-2b:01:02:03:04:05'::macaddr8;
SELECT '08:00:2b:01:02:03 04'::macaddr8;
SELECT '0g:00:2b:01:02:03'::macaddr8;
SELECT trunc('08:00:2b:01:02:03:04:05'::macaddr8), macaddr8_set7bit('08:00:2b:01:02:03:04:05'), macaddr8_set7bit('0a:00:2b:01:02:03:04:05'),
       ~'08:00:2b:01:02:03:04:05'::macaddr8, '08:00:2b:01:02:03:04:05'::macaddr8 & 'ff:ff:ff:ff:00:00:00:00', '08:00:2b:01:02:03:04:05'::macaddr8 | '00:00:00:00:ff:ff:ff:ff';
SELECT '08:00:2b:01:02:03'::macaddr::macaddr8, '08:00:2b:ff:fe:01:02:03'::macaddr8::macaddr, macaddr8('01:02:03:04:05:06'::macaddr), macaddr('01:02:03:ff:fe:04:05:06'::macaddr8);
SELECT '08:00:2b:01:02:03:04:05'::macaddr8::macaddr;
SELECT '08:00:2b:01:02:03'::macaddr = '08:00:2b:ff:fe:01:02:03'::macaddr8, '08:00:2b:01:02:03'::macaddr::text, '08:00:2b:01:02:03:04:05'::macaddr8::text;
SELECT a < b, a = b, a > b, macaddr8_cmp(a, b) FROM (VALUES ('08:00:2b:01:02:03:04:05'::macaddr8, '08:00:2b:01:02:03:04:06'::macaddr8),
  ('ff:00:00:00:00:00:00:00', '00:ff:ff:ff:ff:ff:ff:ff')) v(a, b);
SELECT '{08:00:2b:01:02:03,NULL}'::macaddr[], '{08:00:2b:01:02:03:04:05}'::macaddr8[];
DROP TABLE nt;
