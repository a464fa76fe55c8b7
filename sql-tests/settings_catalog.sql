-- PostgreSQL's run-time settings beyond the ones Quiver acts on: SHOW, SET with PostgreSQL's
-- validation and contexts (restart, reload, internal, connection start, superuser), and
-- pg_settings' columns. Values here are PostgreSQL's built-in defaults (not ones a
-- postgresql.conf or Quiver changes).
SHOW enable_partitionwise_join;
SET enable_partitionwise_join = on;
SHOW enable_partitionwise_join;
RESET enable_partitionwise_join;
SHOW enable_partitionwise_join;
SHOW temp_buffers;
SET temp_buffers = '16MB';
SHOW temp_buffers;
SET temp_buffers = 50;
SET temp_buffers = '1 parsec';
SHOW vacuum_cost_delay;
SET vacuum_cost_delay = '5ms';
SHOW vacuum_cost_delay;
SET vacuum_cost_delay = 500;
SET random_page_cost = 1.1;
SHOW random_page_cost;
SET random_page_cost = -1;
SET cursor_tuple_fraction = 0.5;
SET constraint_exclusion = partition;
SET constraint_exclusion = sometimes;
SET plan_cache_mode = force_generic_plan;
SHOW plan_cache_mode;
SET shared_buffers = '1GB';
SET max_wal_size = '2GB';
SET data_checksums = on;
SET log_connections = on;
SHOW block_size;
SHOW wal_segment_size;
SHOW max_function_args;
SHOW archive_command;
SHOW data_directory_mode;
-- superuser-only settings
CREATE ROLE regress_settings_user;
SET ROLE regress_settings_user;
SET log_min_duration_statement = 100;
SET lc_time = 'C';
RESET ROLE;
DROP ROLE regress_settings_user;
SET log_min_duration_statement = 100;
SHOW log_min_duration_statement;
RESET log_min_duration_statement;
SELECT name, setting, unit, category, context, vartype, min_val, max_val, enumvals, boot_val, reset_val
  FROM pg_settings WHERE name IN ('temp_buffers', 'random_page_cost', 'statement_timeout', 'vacuum_cost_delay', 'log_rotation_age',
    'constraint_exclusion', 'enable_seqscan', 'max_index_keys', 'block_size', 'jit_above_cost') ORDER BY 1;
SELECT name, short_desc FROM pg_settings WHERE name LIKE 'enable\_%' ORDER BY 1;
SELECT count(*) > 300 AS many, count(DISTINCT category) > 30 AS categories FROM pg_settings;
SELECT current_setting('geqo_threshold'), set_config('geqo_threshold', '14', false), current_setting('geqo_threshold');
RESET ALL;
SHOW temp_buffers;
