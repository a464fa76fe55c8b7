-- CREATE EXTENSION: vector is always installed (Quiver has it built in; the expected output was
-- produced with CREATE EXTENSION vector already run in the database)
CREATE EXTENSION IF NOT EXISTS vector;
CREATE EXTENSION vector;
CREATE EXTENSION IF NOT EXISTS "vector";
CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;
SELECT extname, extversion FROM pg_extension WHERE extname = 'vector';
SELECT typname FROM pg_type WHERE typname = 'vector';
-- other extensions are not available
CREATE EXTENSION no_such_extension;
CREATE EXTENSION IF NOT EXISTS no_such_extension;
-- the type works after CREATE EXTENSION IF NOT EXISTS
CREATE TABLE ext_t (id int PRIMARY KEY, v vector(2));
INSERT INTO ext_t VALUES (1, '[1,2]');
SELECT id, v, v <-> '[0,0]' AS d FROM ext_t;
DROP TABLE ext_t;
