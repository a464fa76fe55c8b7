-- SELECT * over JOIN … USING / NATURAL JOIN: the merged columns once, first, then each
-- side's other columns; a FULL JOIN's merged column is COALESCE of both sides
create table ua(i int, j int, s text); create table ub(i int, k text, s text); create table uc(i bigint, s text, z int);
insert into ua values (1,10,'x'),(2,20,'y'),(3,30,'z'); insert into ub values (1,'a','x'),(3,'c','q'),(4,'d','w'); insert into uc values (1,'x',100),(4,'w',400),(5,'v',500);
select * from ua join ub using (i) order by 1;
select * from ua left join ub using (i) order by 1;
select * from ua right join ub using (i) order by 1;
select * from ua full join ub using (i) order by 1;
select i, j, k from ua full join ub using (i) order by 1;
select * from ua full join ub using (i) where i > 2 order by 1;
select * from ua join ub using (i, s) order by 1;
select * from ua natural join ub order by 1;
select * from ua natural left join ub order by 1;
select * from ub natural full join uc order by 1, 2;
select ua.*, ub.* from ua join ub using (i) order by 1;
select ub.*, * from ua join ub using (i) order by 1;
select * from ua join ub using (i) join ua u2 using (i) order by 1;
select * from ua join ub using (i) full join uc using (i) order by 1;
select * from ua, ub join uc using (i) order by 1, 2;
select * from ua join (ub join uc using (s)) using (i) order by 1;
select count(*), sum(i) from ua full join ub using (i);
select * from ua cross join ub natural join uc order by 1, 2;
drop table ua, ub, uc;
