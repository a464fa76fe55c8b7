-- Multi-way joins the planner reorders (planner/join-order.ts): results must not depend on the order.
CREATE TABLE jo_regions (id int PRIMARY KEY, name text);
CREATE TABLE jo_customers (id int PRIMARY KEY, region_id int, name text);
CREATE TABLE jo_orders (id int PRIMARY KEY, customer_id int, amount int);
CREATE TABLE jo_items (id int PRIMARY KEY, order_id int, product_id int, qty int);
CREATE TABLE jo_products (id int PRIMARY KEY, category int, name text);
INSERT INTO jo_regions SELECT g, 'region' || g FROM generate_series(1, 10) g;
INSERT INTO jo_customers SELECT g, g % 10 + 1, 'cust' || g FROM generate_series(1, 200) g;
INSERT INTO jo_orders SELECT g, g % 210 + 1, g % 97 FROM generate_series(1, 2000) g;
INSERT INTO jo_items SELECT g, g % 2000 + 1, g % 50 + 1, g % 7 + 1 FROM generate_series(1, 5000) g;
INSERT INTO jo_products SELECT g, g % 5, 'prod' || g FROM generate_series(1, 50) g;
ANALYZE jo_regions; ANALYZE jo_customers; ANALYZE jo_orders; ANALYZE jo_items; ANALYZE jo_products;
SELECT count(*) FROM jo_items i JOIN jo_orders o ON o.id = i.order_id JOIN jo_customers c ON c.id = o.customer_id WHERE c.region_id = 3;
SELECT * FROM jo_items i JOIN jo_orders o ON o.id = i.order_id JOIN jo_customers c ON c.id = o.customer_id WHERE c.region_id = 3 ORDER BY i.id LIMIT 5;
SELECT * FROM jo_items i, jo_orders o, jo_customers c, jo_regions r WHERE i.order_id = o.id AND o.customer_id = c.id AND c.region_id = r.id AND r.name = 'region5' ORDER BY i.id LIMIT 5;
SELECT r.name, p.category, count(*), sum(i.qty) FROM jo_regions r, jo_customers c, jo_orders o, jo_items i, jo_products p WHERE c.region_id = r.id AND o.customer_id = c.id AND i.order_id = o.id AND p.id = i.product_id AND p.category < 2 AND r.id <= 3 GROUP BY r.name, p.category ORDER BY 1, 2;
-- LEFT JOIN among inner joins: customers 201..210 do not exist, their orders keep NULLs
SELECT i.id, o.amount, c.name, p.name FROM jo_items i JOIN jo_orders o ON o.id = i.order_id LEFT JOIN jo_customers c ON c.id = o.customer_id JOIN jo_products p ON p.id = i.product_id WHERE p.category = 3 AND o.amount < 20 ORDER BY i.id LIMIT 12;
SELECT count(*), count(c.id) FROM jo_orders o LEFT JOIN jo_customers c ON c.id = o.customer_id JOIN jo_items i ON i.order_id = o.id JOIN jo_products p ON p.id = i.product_id AND p.category = 1;
-- conditions across tables in WHERE, not only equalities
SELECT o.id, c.name, i.qty FROM jo_orders o, jo_customers c, jo_items i WHERE o.customer_id = c.id AND i.order_id = o.id AND i.qty > c.region_id AND o.amount + i.qty = 10 ORDER BY o.id, i.id LIMIT 10;
-- a cross product among joins
SELECT count(*) FROM jo_regions r, jo_products p, jo_items i WHERE p.id = i.product_id AND r.id <= 2 AND p.category = 4;
-- EXISTS / NOT EXISTS over a reordered join
SELECT count(*) FROM jo_items i JOIN jo_orders o ON o.id = i.order_id JOIN jo_products p ON p.id = i.product_id WHERE p.category = 2 AND EXISTS (SELECT 1 FROM jo_customers c WHERE c.id = o.customer_id AND c.region_id = 2);
SELECT count(*) FROM jo_items i JOIN jo_orders o ON o.id = i.order_id JOIN jo_products p ON p.id = i.product_id WHERE p.category = 2 AND NOT EXISTS (SELECT 1 FROM jo_customers c WHERE c.id = o.customer_id);
SET join_collapse_limit = 1;
SELECT count(*) FROM jo_items i JOIN jo_orders o ON o.id = i.order_id JOIN jo_customers c ON c.id = o.customer_id WHERE c.region_id = 3;
SHOW join_collapse_limit;
RESET join_collapse_limit;
SET from_collapse_limit = 2;
SELECT count(*) FROM jo_items i, jo_orders o JOIN jo_customers c ON c.id = o.customer_id, jo_regions r WHERE i.order_id = o.id AND c.region_id = r.id AND r.name = 'region5';
RESET from_collapse_limit;
SHOW from_collapse_limit;
DROP TABLE jo_regions, jo_customers, jo_orders, jo_items, jo_products;
