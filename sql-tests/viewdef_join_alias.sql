-- a FROM item named twice, once inside an aliased join (its names conflict only within the join), and its view text
create table dj1 (a int, b text); create table dj2 (a int, x int);
insert into dj1 values (1, 'p'), (2, 'q'); insert into dj2 values (1, 10), (3, 30);
select j.a, j.b, j.x, dj1.b from dj1, (dj1 natural join dj2) as j order by 1, 4;
select * from dj1 join (dj1 join dj2 using (a)) as j on true order by 1, 2, 3;
select * from dj1, (dj1 join dj1 using (a)) as j;
select * from dj1, (dj2 join dj2 x using (a)) as dj1;
create view djv as select j.a, j.b, j.x from dj1 join dj2 using (a) as j2 join dj2 v on true, (dj1 natural join dj2) as j;
select pg_get_viewdef('djv', true);
select pg_get_viewdef('djv');
drop view djv; drop table dj1, dj2;
