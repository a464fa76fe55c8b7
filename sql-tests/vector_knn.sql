-- k-nearest-neighbour queries (the README example), every distance operator, filters, ties
CREATE TABLE items (id bigserial PRIMARY KEY, embedding vector(3));
INSERT INTO items (embedding) VALUES ('[1,2,3]'), ('[4,5,6]');
SELECT * FROM items ORDER BY id;
SELECT id, embedding <-> '[3,1,2]' AS d FROM items ORDER BY embedding <-> '[3,1,2]' LIMIT 5;
INSERT INTO items (embedding) VALUES
  ('[1,1,1]'), ('[2,2,2]'), ('[3,1,2]'), ('[0,0,0]'), ('[-1,-2,-3]'),
  ('[10,0,0]'), ('[0,10,0]'), ('[0,0,10]'), ('[2,2,2]'), ('[1,2,3]'),
  ('[3,3,1]'), ('[0.5,0.25,0.125]'), (NULL);
SELECT count(*), count(embedding) FROM items;
-- L2
SELECT id, embedding <-> '[3,1,2]' AS d FROM items ORDER BY embedding <-> '[3,1,2]', id LIMIT 5;
SELECT id, embedding FROM items ORDER BY embedding <-> '[3,1,2]', id LIMIT 3;
SELECT id FROM items ORDER BY embedding <-> '[0,0,0]', id LIMIT 1;
-- inner product (negative, so smaller is closer)
SELECT id, embedding <#> '[3,1,2]' AS d FROM items ORDER BY embedding <#> '[3,1,2]', id LIMIT 5;
-- cosine
SELECT id, embedding <=> '[3,1,2]' AS d FROM items WHERE embedding <> '[0,0,0]' ORDER BY embedding <=> '[3,1,2]', id LIMIT 5;
-- L1
SELECT id, embedding <+> '[3,1,2]' AS d FROM items ORDER BY embedding <+> '[3,1,2]', id LIMIT 5;
-- function forms
SELECT id, l2_distance(embedding, '[3,1,2]') AS d FROM items ORDER BY l2_distance(embedding, '[3,1,2]'), id LIMIT 3;
SELECT id, cosine_distance(embedding, '[1,1,1]') AS d FROM items WHERE id IN (3, 4, 5, 8) ORDER BY 2, id;
-- ordering by the select-list alias and by position
SELECT id, embedding <-> '[3,1,2]' AS d FROM items ORDER BY d, id LIMIT 4;
SELECT id, embedding <-> '[3,1,2]' AS d FROM items ORDER BY 2, 1 LIMIT 4;
-- descending: farthest first (NULLs first with DESC)
SELECT id, embedding <-> '[3,1,2]' AS d FROM items ORDER BY embedding <-> '[3,1,2]' DESC, id LIMIT 4;
-- with WHERE filters
SELECT id, embedding <-> '[3,1,2]' AS d FROM items WHERE id > 5 ORDER BY embedding <-> '[3,1,2]', id LIMIT 5;
SELECT id, embedding <-> '[3,1,2]' AS d FROM items WHERE id % 2 = 0 ORDER BY embedding <-> '[3,1,2]', id LIMIT 3;
SELECT id FROM items WHERE embedding <-> '[3,1,2]' < 3 ORDER BY embedding <-> '[3,1,2]', id;
SELECT id FROM items WHERE id BETWEEN 3 AND 6 ORDER BY embedding <=> '[1,1,1]', id LIMIT 10;
SELECT id FROM items WHERE id = 1000 ORDER BY embedding <-> '[3,1,2]' LIMIT 5;
-- LIMIT larger than the table, OFFSET, NULL embeddings sort last
SELECT id, embedding <-> '[3,1,2]' AS d FROM items ORDER BY embedding <-> '[3,1,2]', id LIMIT 100;
SELECT id FROM items ORDER BY embedding <-> '[3,1,2]', id LIMIT 3 OFFSET 2;
-- query vector with the wrong number of dimensions
SELECT id FROM items ORDER BY embedding <-> '[3,1]' LIMIT 5;
-- a query vector computed in the statement
SELECT id FROM items ORDER BY embedding <-> ('[1,0,0]'::vector + '[2,1,2]'), id LIMIT 3;
SELECT id FROM items ORDER BY embedding <-> (SELECT embedding FROM items WHERE id = 2), id LIMIT 3;
-- after updates and deletes
DELETE FROM items WHERE id = 5;
UPDATE items SET embedding = '[3,1,2.5]' WHERE id = 1;
SELECT id, embedding <-> '[3,1,2]' AS d FROM items ORDER BY embedding <-> '[3,1,2]', id LIMIT 3;
-- KNN with more columns
CREATE TABLE docs (id int PRIMARY KEY, category text, embedding vector(2));
INSERT INTO docs VALUES (1, 'a', '[1,0]'), (2, 'b', '[0,1]'), (3, 'a', '[1,1]'), (4, 'b', '[2,2]'), (5, 'a', '[-1,0]');
SELECT id, category, embedding <=> '[1,0]' AS d FROM docs WHERE category = 'a' ORDER BY embedding <=> '[1,0]', id LIMIT 2;
SELECT category, min(embedding <-> '[0,0]') FROM docs GROUP BY category ORDER BY category;
DROP TABLE docs;
DROP TABLE items;
