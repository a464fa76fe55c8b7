-- SELECT: expressions, filters, ordering, grouping, subqueries, joins
SELECT 1;
SELECT 1 + 2 * 3 AS x, (1 + 2) * 3 AS y, 10 - -2, 'a' || 'b' AS ab;
SELECT 1 AS a, 2 AS b, 'three' AS c;
SELECT abs(-5), greatest(1, 5, 3), least(4, 2, 8), mod(10, 3), sqrt(16::float8), power(2, 8);
SELECT upper('x'), length('hello'), trim('  hi  '), replace('aXbXc', 'X', '-'), left('abcdef', 2), right('abcdef', 2);
SELECT CASE WHEN 1 > 2 THEN 'a' WHEN 2 > 1 THEN 'b' ELSE 'c' END, CASE 3 WHEN 1 THEN 'one' WHEN 3 THEN 'three' END, CASE WHEN false THEN 1 END;
SELECT COALESCE(NULL, NULL, 3), COALESCE(NULL::text, 'x'), NULLIF(1, 1), NULLIF(1, 2);
SELECT 2 IN (1, 2, 3), 5 IN (1, 2), 5 NOT IN (1, 2), NULL IN (1, 2), 1 IN (1, NULL), 3 IN (1, NULL);
SELECT 5 BETWEEN 1 AND 10, 0 BETWEEN 1 AND 10, 5 NOT BETWEEN 1 AND 10;
SELECT 'abc' LIKE 'a%', 'abc' LIKE '_b_', 'abc' LIKE 'b%', 'ABC' ILIKE 'a%', 'abc' NOT LIKE '%z%', 'a%c' LIKE 'a\%c';
-- fixture
CREATE TABLE emp (id int PRIMARY KEY, name text, dept text, salary numeric(10,2), manager int, hired date);
INSERT INTO emp VALUES
  (1, 'Alice', 'eng', 120000, NULL, '2019-03-01'),
  (2, 'Bob', 'eng', 95000, 1, '2020-07-15'),
  (3, 'Carol', 'sales', 70000, 1, '2021-01-10'),
  (4, 'Dan', 'sales', 65000, 3, '2021-06-01'),
  (5, 'Eve', 'eng', 105000, 1, '2018-11-20'),
  (6, 'Frank', NULL, 50000, NULL, '2022-02-02'),
  (7, 'Grace', 'hr', NULL, 1, '2023-09-09'),
  (8, 'Heidi', 'hr', 60000, 7, NULL);
CREATE TABLE dept (code text PRIMARY KEY, title text);
INSERT INTO dept VALUES ('eng', 'Engineering'), ('sales', 'Sales'), ('ops', 'Operations');
-- WHERE
SELECT id, name FROM emp WHERE dept = 'eng' ORDER BY id;
SELECT id, name FROM emp WHERE salary > 80000 AND dept = 'eng' ORDER BY id;
SELECT id, name FROM emp WHERE dept = 'hr' OR salary < 60000 ORDER BY id;
SELECT id, name FROM emp WHERE NOT (dept = 'eng') ORDER BY id;
SELECT id FROM emp WHERE dept IS NULL;
SELECT id FROM emp WHERE salary IS NULL OR hired IS NULL ORDER BY id;
SELECT id FROM emp WHERE id IN (2, 4, 6, 99) ORDER BY id;
SELECT id FROM emp WHERE id NOT IN (2, 4, 6) ORDER BY id;
SELECT id FROM emp WHERE salary BETWEEN 60000 AND 95000 ORDER BY id;
SELECT id, name FROM emp WHERE name LIKE '%a%' ORDER BY id;
SELECT id, name FROM emp WHERE name ILIKE 'a%' ORDER BY id;
SELECT id FROM emp WHERE hired >= '2021-01-01' ORDER BY id;
SELECT id FROM emp WHERE false;
-- ORDER BY
SELECT name, salary FROM emp ORDER BY salary;
SELECT name, salary FROM emp ORDER BY salary DESC;
SELECT name, salary FROM emp ORDER BY salary ASC NULLS FIRST;
SELECT name, salary FROM emp ORDER BY salary DESC NULLS LAST;
SELECT name, dept FROM emp ORDER BY dept NULLS FIRST, name DESC;
SELECT name, dept FROM emp ORDER BY 2, 1;
SELECT name AS n FROM emp ORDER BY n DESC;
SELECT name FROM emp ORDER BY length(name), name;
SELECT name FROM emp ORDER BY nosuch;
-- LIMIT / OFFSET
SELECT id FROM emp ORDER BY id LIMIT 3;
SELECT id FROM emp ORDER BY id LIMIT 3 OFFSET 2;
SELECT id FROM emp ORDER BY id OFFSET 6;
SELECT id FROM emp ORDER BY id LIMIT 0;
SELECT id FROM emp ORDER BY id LIMIT ALL;
SELECT id FROM emp ORDER BY id DESC FETCH FIRST 2 ROWS ONLY;
SELECT id FROM emp ORDER BY id LIMIT -1;
-- DISTINCT
SELECT DISTINCT dept FROM emp ORDER BY dept;
SELECT DISTINCT dept, manager IS NULL AS top FROM emp ORDER BY dept, top;
SELECT count(DISTINCT dept), count(dept), count(*) FROM emp;
-- aggregates and GROUP BY / HAVING
SELECT count(*), count(salary), sum(salary), avg(salary), min(salary), max(salary) FROM emp;
SELECT min(name), max(name), min(hired), max(hired) FROM emp;
SELECT dept, count(*), sum(salary), round(avg(salary), 2) AS avg FROM emp GROUP BY dept ORDER BY dept;
SELECT dept, count(*) FROM emp GROUP BY dept HAVING count(*) > 1 ORDER BY dept;
SELECT dept, max(salary) FROM emp WHERE salary IS NOT NULL GROUP BY dept HAVING max(salary) > 60000 ORDER BY max(salary) DESC;
SELECT dept IS NULL AS no_dept, count(*) FROM emp GROUP BY 1 ORDER BY 1;
SELECT extract(year FROM hired) AS y, count(*) FROM emp GROUP BY y ORDER BY y;
SELECT count(*) FROM emp WHERE id > 100;
SELECT sum(salary), avg(salary), max(salary) FROM emp WHERE id > 100;
SELECT dept, count(*) FROM emp WHERE id > 100 GROUP BY dept;
SELECT count(*) AS n, sum(id) FROM emp GROUP BY ();
SELECT name, count(*) FROM emp;
SELECT bool_and(salary > 10000), bool_or(dept = 'hr') FROM emp;
SELECT string_agg(name, ',' ORDER BY name) FROM emp WHERE dept = 'eng';
-- subqueries in FROM
SELECT d, n FROM (SELECT dept AS d, count(*) AS n FROM emp GROUP BY dept) s WHERE n >= 2 ORDER BY d;
SELECT * FROM (SELECT id, name FROM emp ORDER BY id LIMIT 2) AS first_two ORDER BY id DESC;
SELECT max(n) FROM (SELECT count(*) AS n FROM emp GROUP BY dept) t;
SELECT * FROM (VALUES (1, 'one'), (2, 'two')) AS v(num, word) ORDER BY num;
-- scalar subqueries
SELECT name, (SELECT title FROM dept WHERE code = emp.dept) AS title FROM emp ORDER BY id;
SELECT (SELECT max(salary) FROM emp) AS top, (SELECT count(*) FROM dept) AS depts;
SELECT name FROM emp WHERE salary = (SELECT max(salary) FROM emp);
SELECT name FROM emp WHERE salary > (SELECT avg(salary) FROM emp) ORDER BY name;
SELECT (SELECT id FROM emp);
SELECT (SELECT id FROM emp WHERE id < 0);
-- IN / EXISTS subqueries
SELECT name FROM emp WHERE dept IN (SELECT code FROM dept) ORDER BY name;
SELECT name FROM emp WHERE dept NOT IN (SELECT code FROM dept) ORDER BY name;
SELECT name FROM emp e WHERE EXISTS (SELECT 1 FROM emp r WHERE r.manager = e.id) ORDER BY name;
SELECT name FROM emp e WHERE NOT EXISTS (SELECT 1 FROM emp r WHERE r.manager = e.id) ORDER BY name;
SELECT code FROM dept d WHERE NOT EXISTS (SELECT 1 FROM emp WHERE emp.dept = d.code);
SELECT EXISTS (SELECT 1 FROM emp WHERE salary > 1000000);
-- joins
SELECT e.name, d.title FROM emp e JOIN dept d ON d.code = e.dept ORDER BY e.id;
SELECT e.name, d.title FROM emp e INNER JOIN dept d ON e.dept = d.code WHERE d.code = 'sales' ORDER BY e.name;
SELECT e.name, d.title FROM emp e LEFT JOIN dept d ON d.code = e.dept ORDER BY e.id;
SELECT e.name, d.title FROM emp e RIGHT JOIN dept d ON d.code = e.dept ORDER BY d.code, e.name;
SELECT e.name, d.code FROM emp e FULL JOIN dept d ON d.code = e.dept ORDER BY e.id, d.code;
SELECT e.name, m.name AS manager FROM emp e LEFT JOIN emp m ON m.id = e.manager ORDER BY e.id;
SELECT e.name, d.title FROM emp e, dept d WHERE e.dept = d.code AND e.salary > 90000 ORDER BY e.name;
SELECT count(*) FROM emp CROSS JOIN dept;
SELECT d.title, count(e.id) FROM dept d LEFT JOIN emp e ON e.dept = d.code GROUP BY d.title ORDER BY d.title;
SELECT name, title FROM emp JOIN dept ON code = dept ORDER BY name;
SELECT id FROM emp JOIN dept ON code = dept WHERE title = 'Sales' ORDER BY id;
SELECT name FROM emp JOIN dept d USING (name);
-- set operations
SELECT dept FROM emp WHERE dept IS NOT NULL UNION SELECT code FROM dept ORDER BY 1;
SELECT 1 UNION ALL SELECT 1 UNION ALL SELECT 2 ORDER BY 1;
-- column and table aliases, qualified star
SELECT e.* FROM emp e WHERE e.id = 1;
SELECT t.x, t.y FROM (SELECT 1, 2) AS t(x, y);
SELECT emp.id FROM emp AS e;
DROP TABLE emp;
DROP TABLE dept;
