-- col < / <= / > / >= constant estimated as PostgreSQL 15's ineq_histogram_selectivity: the
-- bin found by the operator, the equality share for < and >=, the first bin narrowed, the
-- ends kept a hundredth of a bin off 0 and 1 unless a B-tree gives the column's true ends
CREATE TABLE sx(a int, b int); insert into sx select g, g % 7 from generate_series(1,20) g; analyze sx;
explain select * from sx where a < 3;
explain select * from sx where a <= 3;
explain select * from sx where a < 10;
explain select * from sx where a > 17;
explain select * from sx where a >= 17;
explain select * from sx where a < 3.5;
explain select * from sx where a between 3 and 6;
explain select * from sx where a < 1;
explain select * from sx where a <= 1;
explain select * from sx where a > 20;
explain select * from sx where a < 0;
explain select * from sx where b < 3;
explain select * from sx where b >= 5;
create index on sx(a);
explain select * from sx where a < 1;
explain select * from sx where a < 0;
explain select * from sx where a > 20;
CREATE TABLE sy(a int); insert into sy select (g*g) % 1000 from generate_series(1,3000) g; analyze sy;
explain select * from sy where a < 100;
explain select * from sy where a <= 500;
explain select * from sy where a > 900;
explain select * from sy where a >= 17;
DROP TABLE sx; DROP TABLE sy;
