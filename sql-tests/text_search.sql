-- Full-text search: tsvector / tsquery types, to_tsvector & co., matching, ranking.
-- tsvector input: quoting, escapes, positions, weights, sorting and duplicate merging
SELECT 'a fat cat sat on a mat and ate a fat rat'::tsvector;
SELECT $$the lexeme '    ' contains spaces$$::tsvector;
SELECT $$the lexeme 'Joe''s' contains a quote$$::tsvector;
SELECT E'back\\\\slash a\\ b'::tsvector;
SELECT 'a:1 fat:2 cat:3 sat:4 on:5 a:6 mat:7 and:8 ate:9 a:10 fat:11 rat:12'::tsvector;
SELECT 'a:1A fat:2B,4C cat:5D'::tsvector;
SELECT 'a:3,1,2,1 b:5a,5b,5 c:0x'::tsvector;
SELECT 'a:16383 b:20000 c:99999999999'::tsvector;
SELECT 'zz yy xx aa ab a b ba'::tsvector;
SELECT ''::tsvector, '   '::tsvector;
SELECT 'café naïve Straße'::tsvector;
SELECT 'a:0'::tsvector;
SELECT 'a:1Q'::tsvector;
SELECT $$'unterminated$$::tsvector;
SELECT 'a:'::tsvector;
SELECT E'a\\'::tsvector;
-- tsquery input and its canonical output
SELECT 'fat & rat'::tsquery, 'fat & (rat | cat)'::tsquery, 'fat & rat & ! cat'::tsquery;
SELECT 'a | b & c'::tsquery, '(a | b) & c'::tsquery, 'a & b | c & d'::tsquery, '!(a | b)'::tsquery, '!!a'::tsquery;
SELECT 'a <-> b'::tsquery, 'a <2> b'::tsquery, 'a <0> b'::tsquery, 'a <-> (b <-> c)'::tsquery, '(a <-> b) <-> c'::tsquery;
SELECT 'a & b <-> c'::tsquery, '(a & b) <-> c'::tsquery, '!a <-> b'::tsquery, 'a <-> !b'::tsquery, 'a <-> (b | c)'::tsquery;
SELECT 'super:*'::tsquery, 'fat:ab & cat'::tsquery, 'x:*DcBa'::tsquery, 'x:A*'::tsquery;
SELECT $$'quoted word' & 'it''s'$$::tsquery, E'back\\\\slash'::tsquery;
SELECT 'a&b|c'::tsquery, '  a  &  b  '::tsquery, 'a<->b<3>c'::tsquery;
SELECT 'a & '::tsquery;
SELECT 'a b'::tsquery;
SELECT '(a & b'::tsquery;
SELECT 'a & b)'::tsquery;
SELECT 'a <16385> b'::tsquery;
SELECT '& a'::tsquery;
SELECT '!'::tsquery;
-- regconfig and the default configuration
SELECT 'english'::regconfig, 'pg_catalog.simple'::regconfig, 'english'::regconfig::oid, 'simple'::regconfig::oid;
SELECT 'nonesuch'::regconfig;
SHOW default_text_search_config;
SELECT get_current_ts_config();
SELECT pg_typeof('a'::tsvector), pg_typeof('a'::tsquery), pg_typeof('english'::regconfig);
SELECT oid, typname, typlen, typcategory, typarray FROM pg_type WHERE typname IN ('tsvector', 'tsquery', 'regconfig', '_tsvector', '_tsquery') ORDER BY oid;
SELECT ARRAY['a:1'::tsvector, 'b c'], ARRAY['a & b'::tsquery];
-- empty queries: the functions' NOTICEs (''::tsquery is left out: a cast cannot send its NOTICE yet)
SELECT websearch_to_tsquery(''), websearch_to_tsquery('the'), plainto_tsquery('');
SELECT to_tsquery('the & a'), numnode(plainto_tsquery('the any')), 'a b' @@ 'the';
SELECT to_tsquery(CASE WHEN g > 0 THEN 'the' END) FROM generate_series(1, 2) g;
SELECT to_tsquery('english', 'the') && 'cat'::tsquery, to_tsquery('english', 'the') || 'cat'::tsquery, !! to_tsquery('english', 'the'), to_tsquery('english', 'the <-> of') <-> 'cat'::tsquery;
SELECT ts_rank('a:1'::tsvector, to_tsquery('english', 'the')), to_tsvector('a') @@ to_tsquery('english', 'the'), querytree(to_tsquery('english', 'the'));
-- to_tsvector: parser token types, stop words, stemming
SELECT to_tsvector('english', 'The quick brown foxes jumped over the lazy dogs');
SELECT to_tsvector('simple', 'The quick brown foxes jumped over the lazy dogs');
SELECT to_tsvector('The Fat Rats are running, running, running!');
SELECT to_tsvector('english', 'e-mail foo-bar-baz co-operation state-of-the-art 123-abc abc-123 x-1-y');
SELECT to_tsvector('english', 'mail me at foo@bar.com or visit http://www.example.com/path/to/page.html?q=1 now');
SELECT to_tsvector('english', 'see https://www.postgresql.org/docs/15/ and www.gnu.org/licenses/ and example.com:8080/x');
SELECT to_tsvector('english', 'files /usr/lib/libpq.so ./configure ../up ~/notes.txt and main.c');
SELECT to_tsvector('english', 'numbers 42 -17 +3 3.14 -0.5 1e10 2.5E-3 version 1.2.3 and 10.0.0.1');
SELECT to_tsvector('english', 'Unicode Ünïcode Straße café-bar naïve résumé Привет мир');
SELECT to_tsvector('english', '<b>bold</b> text &amp; entities &#123; <!-- comment --> after');
SELECT to_tsvector('english', 'Don''t stop believing; it''s O''Reilly''s book (2nd edition) [draft] {x}');
SELECT to_tsvector('english', 'abc123 x86_64 snake_case CamelCase ALLCAPS i18n l10n');
SELECT to_tsvector('english', ''), to_tsvector('english', 'the and of a'), to_tsvector('simple', 'the and of a');
SELECT to_tsvector('english', repeat('word ', 5) || 'end');
SELECT length(to_tsvector('english', repeat('spam ', 300)));
SELECT to_tsvector('simple', 'İstanbul ΣΟΦΙΑΣ ǄEMAL Straße STRASSE'), to_tsvector('simple', E'x-y!&ß../?+x-y /comv1?&#x1f; www-\u0301v1a deva\u0903nagari e\u0301cole \u200bzero');
SELECT to_tsvector('simple', E'\u0661\u0662\u0663 ①② Ⅻ x²'), to_tsvector('english', 'café-CAFÉS naïvely RÉSUMÉS');
-- to_tsquery & co.
SELECT to_tsquery('english', 'The & Fat & Rats'), to_tsquery('english', 'supernovae:*'), to_tsquery('english', 'fat:AB & rats:*C');
SELECT to_tsquery('english', 'fat <-> the <-> rats'), to_tsquery('english', 'fat <3> the <-> rats'), to_tsquery('english', '!cats & (dogs | rats)');
SELECT to_tsquery('english', 'foo-bar & baz'), to_tsquery('simple', 'The & Fat'), to_tsquery('english', 'ate <-> the <-> cat <-> of <-> the <-> rat');
SELECT to_tsquery('english', 'the <-> cat'), to_tsquery('english', 'cat <-> the'), to_tsquery('english', '(a | cat) & rat');
SELECT to_tsquery('Fat:* & Rats');
SELECT plainto_tsquery('english', 'The Fat Rats'), plainto_tsquery('english', 'The Fat & Rats:C'), plainto_tsquery('simple', 'The Fat Rats');
SELECT phraseto_tsquery('english', 'The Fat Rats'), phraseto_tsquery('english', 'The Cat and Rats'), phraseto_tsquery('english', 'rats of the cat');
SELECT websearch_to_tsquery('english', 'The fat rats'), websearch_to_tsquery('english', '"supernovae stars" -crab'), websearch_to_tsquery('english', '"sad cat" or "fat rat"');
SELECT websearch_to_tsquery('english', 'signal -"segmentation fault"'), websearch_to_tsquery('english', 'or cat or'), websearch_to_tsquery('english', 'cat or or rat');
SELECT websearch_to_tsquery('english', 'fat-cat (rat) !dog <dog> "unclosed quote'), websearch_to_tsquery('simple', 'a:* b:A');
SELECT websearch_to_tsquery('english', '"the cat" -"the rat" rats');
SELECT websearch_to_tsquery('simple', 'pg & or ( or'), websearch_to_tsquery('simple', 'x -5 ! | or of'), websearch_to_tsquery('simple', 'a|b!c');
-- operators on tsquery
SELECT 'fat | rat'::tsquery && 'cat'::tsquery, 'fat | rat'::tsquery || 'cat'::tsquery, !! 'cat'::tsquery, !! 'a & b'::tsquery;
SELECT to_tsquery('fat') <-> to_tsquery('cat | rat'), tsquery_phrase(to_tsquery('fat'), to_tsquery('cat'), 10), 'a <-> b'::tsquery <-> 'c'::tsquery;
SELECT numnode('(fat & rat) | cat'::tsquery), numnode('a'::tsquery), numnode('!a <-> b'::tsquery);
SELECT querytree('foo & !bar'::tsquery), querytree('!bar'::tsquery), querytree('a <-> !b | c'::tsquery), querytree('!a | b'::tsquery);
SELECT 'b:2 a:1'::tsvector = 'a:1 b:2', 'a'::tsvector <> 'a:1', 'a & b'::tsquery = '(a & b)', 'a & b'::tsquery <> 'b & a';
SELECT 'a:1'::tsvector < 'b'::tsvector, 'a b'::tsvector > 'abc'::tsvector, 'a:1,2'::tsvector <= 'a:1A'::tsvector, tsvector_cmp('b:2'::tsvector, 'b:1'::tsvector);
SELECT v FROM unnest('{"a:1",b,"ab c","a:2A","é:1","a:1,3",""}'::tsvector[]) v ORDER BY v;
SELECT DISTINCT v FROM unnest('{"a:1",a,"a:1",b}'::tsvector[]) v ORDER BY v;
-- tsvector functions and ||
SELECT setweight('fat:2,4 cat:3 rat:5B'::tsvector, 'A'), setweight('fat:2,4 cat:3 rat:5B'::tsvector, 'c', '{cat,rat}');
SELECT strip('fat:2,4 cat:3 rat:5A'::tsvector), length('fat:2,4 cat:3 rat:5A'::tsvector), length(''::tsvector);
SELECT 'a:1 b:2'::tsvector || 'c:1 d:2 b:3'::tsvector, 'a:1 b:2'::tsvector || 'a b'::tsvector, 'a b'::tsvector || 'a:3 c:1'::tsvector;
SELECT 'a:16383'::tsvector || 'a:5 b:2'::tsvector;
SELECT ts_delete('fat:2,4 cat:3 rat:5A'::tsvector, 'fat'), ts_delete('fat:2,4 cat:3 rat:5A'::tsvector, ARRAY['fat','rat','nope']);
SELECT tsvector_to_array('fat:2,4 cat:3 rat:5A'::tsvector), array_to_tsvector('{fat,cat,rat,cat}'::text[]);
SELECT setweight('a:1'::tsvector, 'x');
SELECT setweight('a:1'::tsvector, 'a', ARRAY['a', NULL]);
-- matching
SELECT to_tsvector('fat cats ate fat rats') @@ to_tsquery('fat & rat'), to_tsvector('fat cats ate fat rats') @@ to_tsquery('fat & cow');
SELECT to_tsquery('fat & rat') @@ to_tsvector('fat cats ate fat rats'), 'fat cats ate fat rats' @@ to_tsquery('fat & rat'), 'fat cats ate rats' @@ 'fat rats';
SELECT to_tsvector('fatal error') @@ to_tsquery('fat:*'), 'a:1A b:2B'::tsvector @@ 'a:B'::tsquery, 'a:1A b:2B'::tsvector @@ 'a:AB'::tsquery;
SELECT to_tsvector('fat cats ate fat rats') @@ to_tsquery('fat <-> rat'), to_tsvector('fat cats ate fat rats') @@ to_tsquery('cat <2> rat'), to_tsvector('fat cats ate fat rats') @@ to_tsquery('cat <3> rat');
SELECT to_tsvector('fat cats ate fat rats') @@ to_tsquery('!cow'), to_tsvector('fat cats ate fat rats') @@ to_tsquery('fat <-> !cat'), to_tsvector('fat cats ate fat rats') @@ to_tsquery('!fat <-> rat');
SELECT strip(to_tsvector('fat rats')) @@ to_tsquery('fat <-> rat'), strip(to_tsvector('fat rats')) @@ to_tsquery('fat & rat'), strip('a:1A'::tsvector) @@ 'a:B'::tsquery;
SELECT 'a:1 b:3'::tsvector @@ 'a <-> (b | c)'::tsquery, 'a:1 b:3'::tsvector @@ 'a <2> (b | c <-> d)'::tsquery, 'a:1 c:2 d:3'::tsvector @@ 'a <-> (b | c <-> d)'::tsquery;
SELECT 'a:1 b:2 c:3'::tsvector @@ '(a <-> b) & (b <-> c)'::tsquery, 'a:1 b:2'::tsvector @@ 'a <0> a'::tsquery, ''::tsvector @@ 'a'::tsquery;
SELECT ts_match_vq('a:1'::tsvector, 'a'::tsquery), ts_match_tq('fat cats', 'cat'::tsquery), ts_match_tt('fat cats', 'fat cat');
-- ranking
SELECT ts_rank(to_tsvector('english', 'fat cats ate fat rats'), to_tsquery('fat & rat'));
SELECT ts_rank(to_tsvector('english', 'fat cats ate fat rats'), to_tsquery('fat | rat | dog'));
SELECT ts_rank(to_tsvector('english', 'fat cats ate fat rats'), to_tsquery('cat <-> ate'));
SELECT ts_rank(setweight(to_tsvector('english', 'fat cats'), 'A') || to_tsvector('english', 'ate fat rats'), to_tsquery('fat & rat'), 1);
SELECT n, ts_rank(to_tsvector('english', 'fat cats ate fat rats and more fat rats'), to_tsquery('fat & rat'), n) FROM generate_series(0, 32) n ORDER BY n;
SELECT ts_rank('{0.05, 0.1, 0.5, 0.9}', 'a:1A b:2B c:3C d:4'::tsvector, 'a & b & c & d'::tsquery);
SELECT ts_rank_cd(to_tsvector('english', 'fat cats ate fat rats'), to_tsquery('fat & rat'));
SELECT ts_rank_cd(to_tsvector('english', 'fat cats ate fat rats'), to_tsquery('fat | rat'));
SELECT ts_rank_cd(to_tsvector('english', 'fat cats ate fat rats'), to_tsquery('fat <-> rat'));
SELECT n, ts_rank_cd(to_tsvector('english', 'fat cats ate fat rats and more fat rats then cats'), to_tsquery('fat & rat'), n) FROM generate_series(0, 32) n ORDER BY n;
SELECT ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', 'a:1A b:2B c:3C d:4'::tsvector, 'a & d'::tsquery), ts_rank_cd('{-1, 0.2, 0.4, 1.0}', 'a:1 b:2'::tsvector, 'a & b'::tsquery, 4);
SELECT ts_rank(strip('a:1 b:2'::tsvector), 'a & b'::tsquery), ts_rank_cd(strip('a:1 b:2'::tsvector), 'a & b'::tsquery);
SELECT ts_rank('abc:7C,8B,5B ab:3C,2,11B e:6A b:11,3C e:1C,10B d:8A'::tsvector, '(abc <2> b) <-> (a:*A <0> b) <-> ((c <-> a) <-> (e | b:BC))'::tsquery);
SELECT ts_rank('{0.1, 0.2}', 'a:1'::tsvector, 'a'::tsquery);
SELECT ts_rank('{0.1, 0.2, 0.4, 1.5}', 'a:1'::tsvector, 'a'::tsquery);
SELECT ts_rank('{0.1, 0.2, 0.4, NULL}', 'a:1'::tsvector, 'a'::tsquery);
-- a table with a stored generated tsvector column
CREATE TABLE ts_docs (id int PRIMARY KEY, title text, body text,
  tsv tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', coalesce(title, '')), 'A') || to_tsvector('english', body)) STORED);
INSERT INTO ts_docs (id, title, body) VALUES
  (1, 'Fat cats', 'The fat cat sat on the mat and ate a fat rat.'),
  (2, 'Rats', 'Rats are running; the cat is not.'),
  (3, NULL, 'A quick brown fox jumps over the lazy dog.'),
  (4, 'Dogs and cats', 'Raining cats and dogs, said the weather report.');
SELECT id, tsv FROM ts_docs ORDER BY id;
SELECT id, title FROM ts_docs WHERE tsv @@ to_tsquery('english', 'cat & !dog') ORDER BY id;
SELECT id, ts_rank(tsv, q) AS rank, ts_rank_cd(tsv, q) AS rank_cd
  FROM ts_docs, to_tsquery('english', 'cat | rat') q WHERE tsv @@ q ORDER BY rank DESC, id;
UPDATE ts_docs SET body = 'No animals here.' WHERE id = 2;
SELECT id, tsv FROM ts_docs WHERE id = 2;
SELECT id FROM ts_docs WHERE body @@ to_tsquery('english', 'dog') ORDER BY id;
SELECT id, tsv::text, length(tsv) FROM ts_docs ORDER BY length(tsv) DESC, id;
DROP TABLE ts_docs;
