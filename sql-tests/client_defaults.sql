-- column defaults given as quoted literals (knex: t.float('score').defaultTo(0) sends DEFAULT '0'), added by ALTER TABLE and read back
CREATE TABLE e2e_t (id int);
INSERT INTO e2e_t VALUES (1);
ALTER TABLE e2e_t ADD COLUMN c real DEFAULT '0';
ALTER TABLE e2e_t ADD COLUMN d int DEFAULT '5';
ALTER TABLE e2e_t ADD COLUMN e text DEFAULT 'x';
ALTER TABLE e2e_t ADD COLUMN f vector(2) DEFAULT '[1,2]';
ALTER TABLE e2e_t ADD COLUMN g timestamptz DEFAULT '2024-01-02 03:04:05+00';
ALTER TABLE e2e_t ALTER COLUMN d SET DEFAULT '7';
INSERT INTO e2e_t (id) VALUES (2);
SELECT * FROM e2e_t ORDER BY id;
SELECT column_name, column_default FROM information_schema.columns WHERE table_name = 'e2e_t' ORDER BY ordinal_position;
DROP TABLE e2e_t;
CREATE TABLE e2e_t2 (a int DEFAULT '5', b int DEFAULT '-3', c bool DEFAULT 'yes', d bool DEFAULT 'off', e bigint DEFAULT '4', f int DEFAULT 6, g int DEFAULT -6);
SELECT column_name, column_default FROM information_schema.columns WHERE table_name = 'e2e_t2' ORDER BY ordinal_position;
SELECT adnum, pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'e2e_t2'::regclass ORDER BY 1;
DROP TABLE e2e_t2;
