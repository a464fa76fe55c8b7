-- bit strings and pgvector's bit distances
SELECT '1010'::bit(4), '101'::bit(4), '10101'::bit(3), '1'::bit(3), '1010'::bit, 'x1f'::bit(8), 'b101'::varbit;
SELECT '10101'::varbit(3), '10101'::bit varying(3), '101'::varbit, ''::varbit;
SELECT '1012'::bit(4);
SELECT 'xfg'::bit(8);
SELECT pg_typeof('1'::bit(1)), pg_typeof('1'::varbit), format_type('bit'::regtype, 3), format_type('varbit'::regtype, 3);
-- distances
SELECT hamming_distance('1010'::bit(4), '0110'), jaccard_distance('1010'::bit(4), '0110'), '1010'::bit(4) <~> '0110', '1010'::bit(4) <%> '0110';
SELECT jaccard_distance('0000'::bit(4), '0000'), jaccard_distance('1000'::bit(4), '0000'), jaccard_distance('1111'::bit(4), '1111');
SELECT hamming_distance('1010'::bit(4), '011'::bit(3));
SELECT jaccard_distance('1010'::bit(4), '011'::bit(3));
SELECT '1010'::bit(4) <~> '011'::bit(3);
SELECT binary_quantize('[1,-1,0,2]'::vector), binary_quantize('[0.5,-0.5,3,0,0,0,0,0,1]'::vector), binary_quantize('[1,2]'::halfvec);
SELECT binary_quantize('[1,2,-3]'::vector) <~> binary_quantize('[1,-2,3]'::vector), binary_quantize('[1,2,-3]'::vector) <%> binary_quantize('[1,-2,3]'::vector);
SELECT pg_typeof(binary_quantize('[1]'::vector)), pg_typeof('1'::bit(1) <~> '1');
-- bit operators and functions
SELECT '101'::bit(3) & '110', '101'::bit(3) | '110', '101'::bit(3) # '110', ~ '101'::bit(3), '101'::bit(3) || '11'::bit(2);
SELECT '10110'::bit(5) << 2, '10110'::bit(5) >> 2;
SELECT '101'::bit(3) & '11'::bit(2);
SELECT length('10101'::varbit), bit_length('101'::bit(3)), octet_length('101010101'::varbit), bit_count('1011'::bit(4));
SELECT get_bit('1010'::bit(4), 0), get_bit('1010'::bit(4), 1), set_bit('1010'::bit(4), 1, 1);
SELECT '1010'::bit(4)::int, '11111111'::bit(8)::int8;
-- comparisons
SELECT '101'::varbit < '11'::varbit, '101'::bit(3) = '101'::varbit, '10'::varbit < '100'::varbit, '0'::bit(1) < '1'::bit(1), '1010'::bit(4) <> '1011';
-- tables
CREATE TABLE bv_items (id int PRIMARY KEY, b bit(4), vb varbit(6));
INSERT INTO bv_items VALUES (1, '1010', '1'), (2, '0110', '110011'), (3, '1111', NULL), (4, NULL, '0');
INSERT INTO bv_items VALUES (5, '101', '1');
INSERT INTO bv_items VALUES (5, '1010', '1010101');
SELECT id, b, vb FROM bv_items ORDER BY b, id;
SELECT id, b <~> '1000' AS hamming, b <%> '1000' AS jaccard FROM bv_items WHERE b IS NOT NULL ORDER BY b <~> '1000', id;
SELECT id FROM bv_items ORDER BY hamming_distance(b, '0111'), id LIMIT 2;
SELECT DISTINCT b FROM bv_items WHERE b IS NOT NULL ORDER BY b;
DROP TABLE bv_items;
-- bit string literals
SELECT B'1010', X'1F', pg_typeof(B'101'), B'1010' <~> B'0110', B'1010' <%> X'A';
-- integers to bit strings: the low n bits, sign-extended past the integer's width
SELECT 5::int8::bit(64), 5::int4::bit(8), (-1)::int4::bit(40), 300::int4::bit(4), 5::bit, (-2)::int8::bit(70), NULL::int4::bit(3);
SELECT (123456789::int8)::bit(64)::int8, (-7)::int4::bit(32)::int4;
