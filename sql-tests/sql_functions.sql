-- CREATE FUNCTION … LANGUAGE sql: scalar (RETURN and AS), RETURNS TABLE / SETOF in FROM, defaults, named and positional parameters, DROP FUNCTION
\set QUIET off
CREATE TABLE fn_docs (id int PRIMARY KEY, content text, embedding vector(3));
INSERT INTO fn_docs VALUES (1, 'a', '[1,0,0]'), (2, 'b', '[0,1,0]'), (3, 'c', '[0,0,1]'), (4, 'd', '[1,1,0]');
CREATE FUNCTION fn_add_one(int) RETURNS int LANGUAGE sql IMMUTABLE RETURN $1 + 1;
SELECT fn_add_one(41), fn_add_one(id) AS next FROM fn_docs ORDER BY id;
SELECT id FROM fn_docs WHERE fn_add_one(id) = 3;
-- the Supabase-style semantic search function
CREATE OR REPLACE FUNCTION fn_match_documents(query_embedding vector(3), match_threshold float, match_count int)
RETURNS TABLE (id int, content text, similarity float)
LANGUAGE sql STABLE
AS $$
  SELECT fn_docs.id, fn_docs.content, 1 - (fn_docs.embedding <=> query_embedding) AS similarity
  FROM fn_docs
  WHERE 1 - (fn_docs.embedding <=> query_embedding) > match_threshold
  ORDER BY fn_docs.embedding <=> query_embedding
  LIMIT match_count;
$$;
SELECT id, content, round(similarity::numeric, 6) FROM fn_match_documents('[1,0.1,0]', 0.5, 2);
SELECT m.id, round(m.similarity::numeric, 6) AS s FROM fn_match_documents('[1,0.1,0]'::vector, 0.0, 10) AS m WHERE m.id > 1 ORDER BY m.id;
SELECT count(*) FROM fn_match_documents('[0,0,1]', -1, 100);
-- parameter types carry no typmod, as in PostgreSQL
\df fn_match_documents
SELECT 'fn_match_documents'::regproc::oid <> 0 AS found, 'public.fn_add_one'::regproc::oid <> 0 AS qualified;
CREATE FUNCTION fn_ids_below(n int DEFAULT 3) RETURNS SETOF int LANGUAGE sql AS 'SELECT id FROM fn_docs WHERE id < n ORDER BY id';
SELECT * FROM fn_ids_below();
SELECT * FROM fn_ids_below(5) AS t(x);
SELECT x * 10 FROM fn_ids_below(4) AS t(x) WHERE x > 1;
-- set-returning SQL functions in the select list
SELECT fn_ids_below();
SELECT id, fn_ids_below(id) FROM fn_docs ORDER BY id, 2;
SELECT fn_match_documents('[1,0,0]', 0.5, 1);
SELECT id FROM fn_docs WHERE fn_ids_below() > 1;
CREATE FUNCTION fn_greet(name text, greeting text DEFAULT 'hello') RETURNS text LANGUAGE sql AS $$ SELECT greeting || ', ' || name $$;
SELECT fn_greet('bob'), fn_greet('al', 'hi');
SELECT fn_greet(content) FROM fn_docs ORDER BY id LIMIT 2;
-- functions calling functions
CREATE FUNCTION fn_add_two(x int) RETURNS int LANGUAGE sql RETURN fn_add_one(fn_add_one(x));
SELECT fn_add_two(1);
-- CREATE OR REPLACE keeps working; the result type cannot change
CREATE OR REPLACE FUNCTION fn_add_one(int) RETURNS int LANGUAGE sql IMMUTABLE RETURN $1 + 100;
SELECT fn_add_one(1), fn_add_two(1);
CREATE OR REPLACE FUNCTION fn_add_one(int) RETURNS text LANGUAGE sql RETURN 'x';
-- errors
CREATE FUNCTION fn_add_one(int) RETURNS int LANGUAGE sql RETURN $1;
CREATE FUNCTION fn_bad(int) RETURNS int LANGUAGE sql AS 'SELECT 1, 2';
CREATE FUNCTION fn_bad2(int) RETURNS int LANGUAGE sql AS 'SELECT nope FROM fn_docs';
SELECT fn_add_one('a');
SELECT proname, pronargs, pronargdefaults, proretset, provolatile FROM pg_proc WHERE proname LIKE 'fn\_%' ORDER BY proname;
DROP FUNCTION fn_add_two(int);
DROP FUNCTION fn_add_two;
DROP FUNCTION IF EXISTS fn_add_two;
DROP FUNCTION fn_add_one(int), fn_greet, fn_ids_below, fn_match_documents;
SELECT count(*) FROM pg_proc WHERE proname LIKE 'fn\_%';
DROP TABLE fn_docs;
