-- ALTER TYPE … ADD VALUE in a transaction block: the new value may not be used before COMMIT
-- (55P04 with PostgreSQL's hint), also for a type created in the same block; CREATE TYPE's own values may.
CREATE TYPE eav_mood AS ENUM ('sad', 'ok');
CREATE TABLE eav_t (m eav_mood);
BEGIN;
ALTER TYPE eav_mood ADD VALUE 'happy';
SELECT 'happy'::eav_mood;
ROLLBACK;
BEGIN;
ALTER TYPE eav_mood ADD VALUE 'happy';
INSERT INTO eav_t VALUES ('happy');
ROLLBACK;
BEGIN;
ALTER TYPE eav_mood ADD VALUE 'happy';
SELECT 'sad'::eav_mood;
SELECT enum_range(NULL::eav_mood);
SELECT enum_last(NULL::eav_mood);
SELECT enumlabel FROM pg_enum WHERE enumtypid = 'eav_mood'::regtype ORDER BY enumsortorder;
COMMIT;
SELECT 'happy'::eav_mood;
BEGIN;
ALTER TYPE eav_mood ADD VALUE 'meh' BEFORE 'ok';
SAVEPOINT s;
SELECT 'meh'::eav_mood;
ROLLBACK TO s;
SELECT 'meh'::text::eav_mood;
ROLLBACK;
-- created in the same transaction: usable
BEGIN;
CREATE TYPE eav_mood2 AS ENUM ('a');
ALTER TYPE eav_mood2 ADD VALUE 'b';
SELECT 'b'::eav_mood2;
COMMIT;
-- created in the same transaction, value added in a savepoint
BEGIN;
CREATE TYPE eav_mood3 AS ENUM ('a');
SAVEPOINT s;
ALTER TYPE eav_mood3 ADD VALUE 'b';
RELEASE s;
SELECT 'b'::eav_mood3;
COMMIT;
-- added by an earlier transaction's statement: fine; IF NOT EXISTS of an existing value
BEGIN;
ALTER TYPE eav_mood ADD VALUE IF NOT EXISTS 'happy';
SELECT 'happy'::eav_mood;
COMMIT;
-- outside a block: fine
ALTER TYPE eav_mood ADD VALUE 'great';
SELECT 'great'::eav_mood;
-- comparison of a stored value with a new value's label via text cast
BEGIN;
ALTER TYPE eav_mood ADD VALUE 'calm';
SELECT m FROM eav_t WHERE m::text = 'calm';
SELECT 'calm' = ANY(enum_range(NULL::eav_mood)::text[]);
PREPARE q(eav_mood) AS SELECT $1;
EXECUTE q('calm');
ROLLBACK;
-- in a multi-statement query (implicit block)
ALTER TYPE eav_mood ADD VALUE 'x1'\; SELECT 'x1'::eav_mood;
SELECT 'x1'::eav_mood;
-- arrays, COPY and a type's own values created in the block
BEGIN;
ALTER TYPE eav_mood ADD VALUE 'joy';
SELECT '{sad,joy}'::eav_mood[];
ROLLBACK;
BEGIN;
ALTER TYPE eav_mood ADD VALUE 'joy';
COPY eav_t FROM stdin;
joy
\.
ROLLBACK;
BEGIN;
CREATE TYPE eav_mood4 AS ENUM ('p', 'q');
SELECT 'q'::eav_mood4, enum_range(NULL::eav_mood4);
ALTER TYPE eav_mood4 ADD VALUE 'r' BEFORE 'p';
SELECT enum_last(NULL::eav_mood4);
SELECT enum_first(NULL::eav_mood4);
ROLLBACK;
-- after COMMIT every value is usable
BEGIN;
ALTER TYPE eav_mood ADD VALUE 'joy' AFTER 'sad';
COMMIT;
INSERT INTO eav_t VALUES ('joy');
SELECT m, enum_range(NULL::eav_mood) FROM eav_t;
DROP TABLE eav_t;
DROP TYPE eav_mood;
