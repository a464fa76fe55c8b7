-- psql's \sf and \df of SQL functions: pg_get_functiondef, parameter defaults in pg_get_function_arguments
CREATE FUNCTION sf_add(a integer, b integer DEFAULT 1) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT a + b';
CREATE FUNCTION sf_tab(n int DEFAULT 2 + 3, t text DEFAULT 'x''y') RETURNS TABLE(i int, s text) LANGUAGE sql STABLE AS $$ SELECT g, t FROM generate_series(1, n) g $$;
CREATE FUNCTION sf_set(n int) RETURNS SETOF int LANGUAGE sql AS $$SELECT $function$ || n$$;
\sf sf_add
\sf sf_tab
\sf sf_set
\df sf_*
SELECT pg_get_function_arguments('sf_tab'::regproc), pg_get_function_identity_arguments('sf_tab'::regproc);
-- proargdefaults as pgcli reads it for completion
SELECT proname, pronargdefaults, pg_get_expr(proargdefaults, 0) FROM pg_proc WHERE proname LIKE 'sf\_%' ORDER BY proname;
DROP FUNCTION sf_add, sf_tab, sf_set;
