-- a plain view depends on the relations and columns it reads (PostgreSQL's pg_depend rows
-- of its rule): DROP and ALTER refuse to break it, RENAME keeps it working
CREATE TABLE vdep_t (id int, x text, y int, unused int);
CREATE TABLE vdep_u (id int, z text);
CREATE VIEW vdep1 AS SELECT id, x FROM vdep_t WHERE y > 1;
CREATE VIEW vdep2 AS SELECT vdep_t.id, vdep_u.z FROM vdep_t JOIN vdep_u ON vdep_t.id = vdep_u.id;
CREATE VIEW vdep3 AS SELECT * FROM vdep1;
DROP TABLE vdep_t;
DROP VIEW vdep1;
ALTER TABLE vdep_t DROP COLUMN x;
ALTER TABLE vdep_t DROP COLUMN y;
ALTER TABLE vdep_t ALTER COLUMN y TYPE bigint;
ALTER TABLE vdep_u ALTER COLUMN z TYPE varchar(10);
-- a column no view reads: free to go or change
ALTER TABLE vdep_t ALTER COLUMN unused TYPE bigint;
ALTER TABLE vdep_t DROP COLUMN unused;
SELECT refobjid::regclass, refobjsubid, deptype FROM pg_depend
  WHERE classid = 'pg_rewrite'::regclass AND objid IN (SELECT oid FROM pg_rewrite WHERE ev_class = 'vdep2'::regclass) AND refobjid <> 'vdep2'::regclass
  ORDER BY refobjid::regclass::text COLLATE "C", refobjsubid;
SELECT refobjid::regclass, refobjsubid FROM pg_depend
  WHERE classid = 'pg_rewrite'::regclass AND objid IN (SELECT oid FROM pg_rewrite WHERE ev_class = 'vdep1'::regclass) AND refobjid <> 'vdep1'::regclass
  ORDER BY refobjid::regclass::text COLLATE "C", refobjsubid;
INSERT INTO vdep_t VALUES (1, 'a', 2), (2, 'b', 0);
INSERT INTO vdep_u VALUES (1, 'one');
-- RENAME: the views read the renamed table and column, their text names them
ALTER TABLE vdep_t RENAME TO vdep_t2;
ALTER TABLE vdep_u RENAME COLUMN z TO zz;
ALTER TABLE vdep_t2 RENAME COLUMN x TO xx;
SELECT * FROM vdep1;
SELECT * FROM vdep2;
SELECT * FROM vdep3;
SELECT pg_get_viewdef('vdep1'::regclass, true);
SELECT pg_get_viewdef('vdep2'::regclass);
ALTER VIEW vdep1 RENAME TO vdep1b;
SELECT pg_get_viewdef('vdep3'::regclass, true);
SELECT * FROM vdep3;
-- CASCADE drops the views
ALTER TABLE vdep_u DROP COLUMN zz CASCADE;
SELECT relname FROM pg_class WHERE relname LIKE 'vdep%' ORDER BY 1;
DROP TABLE vdep_t2 CASCADE;
DROP TABLE vdep_u;
SELECT relname FROM pg_class WHERE relname LIKE 'vdep%' ORDER BY 1;
-- SET SCHEMA and a schema's RENAME: the view's text names the relation where it is now
CREATE SCHEMA vdep_s1;
CREATE TABLE vdep_s1.a (id int);
CREATE VIEW vdep_sv AS SELECT a.id FROM vdep_s1.a;
SELECT pg_get_viewdef('vdep_sv');
ALTER TABLE vdep_s1.a SET SCHEMA public;
SELECT pg_get_viewdef('vdep_sv');
ALTER TABLE a SET SCHEMA vdep_s1;
ALTER SCHEMA vdep_s1 RENAME TO vdep_s2;
SELECT pg_get_viewdef('vdep_sv');
DROP SCHEMA vdep_s2 CASCADE;
