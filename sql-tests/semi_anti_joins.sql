-- EXISTS, NOT EXISTS and IN subqueries in WHERE (Quiver plans them as Semi / Anti Joins):
-- the answers, with NULLs, duplicates, LIMIT, empty subqueries and DML
CREATE TABLE saj_parent (id int PRIMARY KEY, grp int, label text);
CREATE TABLE saj_child (id int PRIMARY KEY, parent_id int, kind int, note text);
INSERT INTO saj_parent VALUES (1, 1, 'a'), (2, 1, 'b'), (3, 2, 'c'), (4, 2, NULL), (5, NULL, 'e'), (6, 3, 'f');
INSERT INTO saj_child VALUES (10, 1, 1, 'x'), (11, 1, 1, 'y'), (12, 2, 2, NULL), (13, 3, 1, 'z'),
  (14, NULL, 1, 'n'), (15, 9, 2, 'orphan'), (16, 3, NULL, 'k');
-- correlated EXISTS, duplicates in the subquery give each parent once
SELECT id, label FROM saj_parent p WHERE EXISTS (SELECT 1 FROM saj_child c WHERE c.parent_id = p.id) ORDER BY id;
SELECT id FROM saj_parent p WHERE EXISTS (SELECT * FROM saj_child c WHERE c.parent_id = p.id AND c.kind = 1) ORDER BY id;
SELECT id FROM saj_parent p WHERE EXISTS (SELECT 1 FROM saj_child c WHERE c.parent_id = p.id AND c.note IS NULL) ORDER BY id;
-- NOT EXISTS: parents without children (a NULL parent_id matches nothing)
SELECT id FROM saj_parent p WHERE NOT EXISTS (SELECT 1 FROM saj_child c WHERE c.parent_id = p.id) ORDER BY id;
SELECT id FROM saj_parent p WHERE NOT EXISTS (SELECT 1 FROM saj_child c WHERE c.parent_id = p.id AND c.kind = 2) ORDER BY id;
-- with other conditions, LIMIT, DISTINCT and ORDER BY in the subquery
SELECT id FROM saj_parent p WHERE grp = 1 AND EXISTS (SELECT 1 FROM saj_child c WHERE c.parent_id = p.id LIMIT 1) ORDER BY id;
SELECT id FROM saj_parent p WHERE EXISTS (SELECT DISTINCT kind FROM saj_child c WHERE c.parent_id = p.id ORDER BY kind) ORDER BY id;
SELECT id FROM saj_parent p WHERE EXISTS (SELECT 1 FROM saj_child c WHERE c.parent_id = p.id LIMIT 0) ORDER BY id;
-- two correlated columns, and a correlated condition that is not an equality
SELECT id FROM saj_parent p WHERE EXISTS (SELECT 1 FROM saj_child c WHERE c.parent_id = p.id AND c.kind = p.grp) ORDER BY id;
SELECT id FROM saj_parent p WHERE EXISTS (SELECT 1 FROM saj_child c WHERE c.parent_id > p.id + 1) ORDER BY id;
SELECT id FROM saj_parent p WHERE NOT EXISTS (SELECT 1 FROM saj_child c WHERE c.parent_id >= p.id) ORDER BY id;
-- uncorrelated EXISTS: all rows or none
SELECT count(*) FROM saj_parent WHERE EXISTS (SELECT 1 FROM saj_child WHERE kind = 2);
SELECT count(*) FROM saj_parent WHERE EXISTS (SELECT 1 FROM saj_child WHERE kind = 99);
SELECT count(*) FROM saj_parent WHERE NOT EXISTS (SELECT 1 FROM saj_child WHERE kind = 99);
-- IN and = ANY: NULLs on either side never match; NOT IN keeps its NULL semantics
SELECT id FROM saj_parent WHERE id IN (SELECT parent_id FROM saj_child) ORDER BY id;
SELECT id FROM saj_parent WHERE id = ANY (SELECT parent_id FROM saj_child WHERE kind = 1) ORDER BY id;
SELECT id FROM saj_parent WHERE grp IN (SELECT kind FROM saj_child) ORDER BY id;
SELECT id FROM saj_parent WHERE id NOT IN (SELECT parent_id FROM saj_child) ORDER BY id;
SELECT id FROM saj_parent WHERE id NOT IN (SELECT parent_id FROM saj_child WHERE parent_id IS NOT NULL) ORDER BY id;
SELECT id FROM saj_parent WHERE id IN (SELECT parent_id + 0 FROM saj_child WHERE note <> 'x') ORDER BY id;
SELECT id FROM saj_parent WHERE id::bigint IN (SELECT parent_id::bigint FROM saj_child) ORDER BY id;
-- under OR / NOT an uncorrelated IN stays a (hashed) subquery: NULL on either side
SELECT id, grp FROM saj_parent WHERE grp = 3 OR grp IN (SELECT kind FROM saj_child WHERE kind > 1) ORDER BY id;
SELECT id, grp IN (SELECT kind FROM saj_child) AS in_kinds, grp NOT IN (SELECT kind FROM saj_child WHERE kind IS NOT NULL) AS not_in FROM saj_parent ORDER BY id;
SELECT id FROM saj_parent WHERE NOT (id IN (SELECT parent_id FROM saj_child WHERE kind = 1)) ORDER BY id;
SELECT id FROM saj_parent WHERE id IN (SELECT parent_id FROM saj_child WHERE false) OR id = 6 ORDER BY id;
-- correlated IN: the selected expression and the correlated conditions together
SELECT id FROM saj_parent p WHERE id IN (SELECT parent_id FROM saj_child c WHERE c.kind = p.grp) ORDER BY id;
SELECT id FROM saj_parent p WHERE label IN (SELECT note FROM saj_child c WHERE c.parent_id <> p.id) ORDER BY id;
SELECT id FROM saj_parent p WHERE grp IN (SELECT kind + 0 FROM saj_child c WHERE c.parent_id >= p.id AND c.note IS NOT NULL) ORDER BY id;
SELECT id FROM saj_parent p WHERE id NOT IN (SELECT parent_id FROM saj_child c WHERE c.kind = p.grp AND c.parent_id IS NOT NULL) ORDER BY id;
-- several at once, and inside a subquery of the select list
SELECT id FROM saj_parent p WHERE EXISTS (SELECT 1 FROM saj_child c WHERE c.parent_id = p.id)
  AND NOT EXISTS (SELECT 1 FROM saj_child c WHERE c.parent_id = p.id AND c.kind = 2) AND id IN (SELECT parent_id FROM saj_child) ORDER BY id;
SELECT id, (SELECT count(*) FROM saj_child c WHERE c.parent_id = p.id AND EXISTS (SELECT 1 FROM saj_parent q WHERE q.id = c.parent_id AND q.grp = 1)) AS n
  FROM saj_parent p ORDER BY id;
-- with a join in the outer query and in the subquery
SELECT p.id, c.id FROM saj_parent p JOIN saj_child c ON c.parent_id = p.id
  WHERE EXISTS (SELECT 1 FROM saj_child c2 JOIN saj_parent p2 ON p2.id = c2.parent_id WHERE c2.parent_id = p.id AND p2.grp = 2) ORDER BY 1, 2;
-- UPDATE and DELETE with EXISTS
UPDATE saj_parent p SET label = label || '!' WHERE EXISTS (SELECT 1 FROM saj_child c WHERE c.parent_id = p.id AND c.kind = 1);
DELETE FROM saj_child c WHERE NOT EXISTS (SELECT 1 FROM saj_parent p WHERE p.id = c.parent_id);
SELECT id, label FROM saj_parent ORDER BY id;
SELECT id FROM saj_child ORDER BY id;
DROP TABLE saj_parent, saj_child;
