-- to_regclass and its siblings: the OID of a name, or NULL when nothing has that name (how
-- migration tools ask whether a table exists); a malformed name still raises
CREATE TABLE toreg_t (id int);
SELECT to_regclass('toreg_t'), to_regclass('public.toreg_t'), to_regclass('toreg_nope'), to_regclass('nope_schema.t');
SELECT to_regclass('toreg_t')::oid = 'toreg_t'::regclass::oid AS same_oid;
SELECT to_regtype('int4'), to_regtype('integer[]'), to_regtype('nope');
SELECT to_regproc('abs'), to_regproc('now'), to_regproc('nope');
SELECT to_regprocedure('abs(integer)'), to_regprocedure('abs(text)');
SELECT to_regnamespace('public'), to_regnamespace('nope'), to_regrole('postgres'), to_regrole('nope');
SELECT to_regclass(NULL), to_regtype(NULL);
SELECT to_regclass('public.toreg_t.x');
SELECT proname, pg_get_function_identity_arguments(oid) AS args, prorettype::regtype FROM pg_proc WHERE proname IN ('to_regclass', 'to_regtype', 'to_regproc', 'to_regprocedure', 'to_regnamespace', 'to_regrole') ORDER BY 1;
DROP TABLE toreg_t;
