-- Looking inside full-text search: ts_token_type, ts_parse, ts_lexize, ts_debug, regdictionary
SELECT * FROM ts_token_type('default');
SELECT * FROM ts_token_type(3722) WHERE tokid < 4;
SELECT * FROM ts_parse('default', 'The Brightest supernovaes foo-bar http://x.org/a?b=1 user@example.com 3.14 -5 v1.2.3 /usr/lib <b>x</b> &amp;');
SELECT ts_parse('default', 'a b');
SELECT * FROM ts_parse('pg_catalog.default', '');
SELECT * FROM ts_parse('nope', 'a');
SELECT * FROM ts_token_type('nope');
SELECT * FROM ts_debug('english', 'The Brightest supernovaes foo-bar http://x.org/a');
SELECT alias, token, dictionaries, dictionary, lexemes FROM ts_debug('simple', 'Running QUICKLY, 42 times: e-mail me@x.org');
SELECT alias, token, lexemes FROM ts_debug('It''s raining cats and dogs');
SELECT ts_lexize('english_stem', 'stars'), ts_lexize('english_stem', 'the'), ts_lexize('simple', 'The'), ts_lexize('english_stem', 'Running');
SELECT 'english_stem'::regdictionary, 'pg_catalog.simple'::regdictionary, 'english_stem'::regdictionary::oid, pg_typeof('simple'::regdictionary);
SELECT 'nope'::regdictionary;
SELECT ts_lexize('nope', 'x');
