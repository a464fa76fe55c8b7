-- IVFFlat indexes (pgvector syntax): every opclass, options, limits, settings, the
-- little-data NOTICE, and KNN through the index with every list probed (exact answers)
CREATE TABLE ivf (id int PRIMARY KEY, category int, embedding vector(3), half halfvec(3));
INSERT INTO ivf SELECT i, i % 3, ARRAY[sin(i), cos(i * 0.7), (i % 11) / 10.0]::vector, ARRAY[cos(i), sin(i * 1.3), (i % 7) / 10.0]::halfvec
  FROM generate_series(1, 40) i;
CREATE INDEX ivf_l2 ON ivf USING ivfflat (embedding vector_l2_ops) WITH (lists = 4);
CREATE INDEX ivf_ip ON ivf USING ivfflat (embedding vector_ip_ops) WITH (lists = 4);
CREATE INDEX ivf_cos ON ivf USING ivfflat (embedding vector_cosine_ops) WITH (lists = 4);
CREATE INDEX ivf_default ON ivf USING ivfflat (embedding);
DROP INDEX ivf_default;
CREATE INDEX ivf_half_l2 ON ivf USING ivfflat (half halfvec_l2_ops) WITH (lists = 4);
CREATE INDEX ivf_half_ip ON ivf USING ivfflat (half halfvec_ip_ops) WITH (lists = 4);
CREATE INDEX ivf_half_cos ON ivf USING ivfflat (half halfvec_cosine_ops) WITH (lists = 4);
-- pgvector warns when there are fewer rows than lists (here: none at all)
CREATE TABLE ivf_empty (v vector(3));
CREATE INDEX ON ivf_empty USING ivfflat (v vector_l2_ops) WITH (lists = 10);
INSERT INTO ivf_empty VALUES ('[1,2,3]'), ('[3,2,1]');
SELECT v FROM ivf_empty ORDER BY v <-> '[1,2,3]' LIMIT 1;
DROP TABLE ivf_empty;
-- options, operator classes and dimensions are checked
CREATE INDEX ON ivf USING ivfflat (embedding vector_l2_ops) WITH (lists = 32769);
CREATE INDEX ON ivf USING ivfflat (embedding vector_l2_ops) WITH (m = 16);
CREATE INDEX ON ivf USING ivfflat (embedding vector_l1_ops);
CREATE INDEX ON ivf USING ivfflat (half vector_l2_ops);
CREATE TABLE ivf_wide (v vector(2001), h halfvec(4001), one vector(1));
CREATE INDEX ON ivf_wide USING ivfflat (v vector_l2_ops);
CREATE INDEX ON ivf_wide USING ivfflat (h halfvec_l2_ops);
CREATE INDEX ON ivf_wide USING ivfflat (one vector_cosine_ops);
CREATE INDEX ON ivf_wide USING ivfflat (one vector_ip_ops);
CREATE INDEX ON ivf_wide USING ivfflat (one vector_l2_ops);
DROP TABLE ivf_wide;
-- settings
SET ivfflat.probes = 0;
SET ivfflat.probes = 32769;
SET ivfflat.max_probes = 0;
SET ivfflat.iterative_scan = strict_order;
SET ivfflat.iterative_scan = relaxed_order;
SHOW ivfflat.iterative_scan;
RESET ivfflat.iterative_scan;
SET ivfflat.max_probes = 100;
SHOW ivfflat.max_probes;
RESET ivfflat.max_probes;
-- every list probed: the index answers exactly
SET enable_seqscan = off;
SET ivfflat.probes = 4;
SELECT id, embedding <-> '[0.5,0.5,0.5]' AS d FROM ivf ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 5;
SELECT id, embedding <#> '[1,-1,0.5]' AS d FROM ivf ORDER BY embedding <#> '[1,-1,0.5]' LIMIT 5;
SELECT id, embedding <=> '[0.2,0.9,0.1]' AS d FROM ivf ORDER BY embedding <=> '[0.2,0.9,0.1]' LIMIT 5;
SELECT id, half <-> '[0.5,0.5,0.5]' AS d FROM ivf ORDER BY half <-> '[0.5,0.5,0.5]' LIMIT 5;
SELECT id, half <#> '[1,-1,0.5]' AS d FROM ivf ORDER BY half <#> '[1,-1,0.5]' LIMIT 5;
SELECT id, half <=> '[0.2,0.9,0.1]' AS d FROM ivf ORDER BY half <=> '[0.2,0.9,0.1]' LIMIT 5;
SELECT id FROM ivf WHERE category = 1 ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 3;
-- rows inserted, updated and deleted after the index was built
INSERT INTO ivf VALUES (41, 0, '[0.5,0.5,0.51]', '[0.5,0.5,0.5]');
UPDATE ivf SET embedding = '[9,9,9]' WHERE id = 41 - 40;
DELETE FROM ivf WHERE id IN (SELECT id FROM ivf ORDER BY embedding <-> '[0.5,0.5,0.5]' OFFSET 1 LIMIT 1);
SELECT id, embedding <-> '[0.5,0.5,0.5]' AS d FROM ivf ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 4;
RESET ivfflat.probes;
RESET enable_seqscan;
DROP INDEX ivf_l2, ivf_ip, ivf_cos;
SELECT id FROM ivf ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 2;
DROP TABLE ivf;
