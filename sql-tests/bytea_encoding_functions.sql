-- get_byte / set_byte / get_bit / set_bit / bit_count on bytea, sha224/384/512, bytea ltrim/rtrim/btrim and TRIM,
-- convert_to / convert_from / convert (UTF8, LATIN1, SQL_ASCII; their errors), parse_ident
select get_byte('\x0102'::bytea, 1), set_byte('\x0102'::bytea, 0, 255), get_bit('\x01'::bytea, 0), set_bit('\x00'::bytea, 1, 1), bit_count('\x0f'::bytea), set_byte('\x00'::bytea, 0, 300);
select get_byte('\x01'::bytea, 5);
select get_byte(''::bytea, 0);
select set_bit('\x00'::bytea, 8, 1);
select set_bit('\x00'::bytea, 1, 2);
select get_bit('\xf0'::bytea, 7), get_bit('\xf0'::bytea, 3);
select sha224('abc'), sha384('abc'), sha512('abc'), sha256('abc');
select convert_to('é', 'UTF8'), convert_from('\xc3a9', 'UTF8'), convert_to('é', 'LATIN1'), convert_from('\xe9', 'LATIN1'), convert('\xc3a9', 'UTF8', 'LATIN1'), convert('\xe9', 'latin1', 'utf8');
select convert_to('a', 'utf-8'), convert_to('a', 'Latin-1'), convert_to('é', 'SQL_ASCII');
select convert_to('☃', 'LATIN1');
select convert_from('\xff', 'UTF8');
select convert_from('\x61ff62', 'UTF8');
select convert_from('\x6100', 'UTF8');
select convert_to('a', 'foo');
select convert_from('a', 'bar');
select parse_ident('"SomeSchema".someTable'), parse_ident('a.b.c'), parse_ident(' a . "B c" '), parse_ident('Ab1$_x."x""y"'), parse_ident('a.b[1]', false), parse_ident('a b', false);
select parse_ident('a.');
select parse_ident('.a');
select parse_ident('"a');
select parse_ident('""');
select parse_ident('a b');
select parse_ident('');
select parse_ident('a.b(');
select ltrim('\x000012'::bytea, '\x00'::bytea), rtrim('\x120000'::bytea, '\x00'::bytea), btrim('\x00120000'::bytea, '\x00'::bytea), trim('\x00'::bytea from '\x00123000'::bytea), trim(leading '\x00'::bytea from '\x001200'::bytea);
