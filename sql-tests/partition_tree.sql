-- psql's \d on partitioned tables and partitions, and the partition-tree functions it and pg_dump use
CREATE TABLE ptree (id int, v vector(3), c int) PARTITION BY RANGE (id);
CREATE TABLE ptree1 PARTITION OF ptree FOR VALUES FROM (0) TO (100);
CREATE TABLE ptree2 PARTITION OF ptree FOR VALUES FROM (100) TO (200);
CREATE TABLE pplain (x int);
\d ptree
\d+ ptree
\d ptree1
SELECT * FROM pg_partition_tree('ptree');
SELECT * FROM pg_partition_tree('ptree2');
SELECT * FROM pg_partition_tree('pplain');
SELECT * FROM pg_partition_ancestors('ptree1');
SELECT * FROM pg_partition_ancestors('pplain');
SELECT pg_partition_root('ptree2'), pg_partition_root('pplain'), pg_partition_root('ptree');
SELECT * FROM pg_partition_tree(NULL);
SELECT * FROM pg_partition_tree(0);
SELECT relid, level FROM pg_partition_tree('ptree') WHERE isleaf ORDER BY relid::text;
DROP TABLE ptree, pplain;
