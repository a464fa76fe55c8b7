-- ADD CONSTRAINT … NOT VALID (CHECK and FOREIGN KEY): not checked on existing rows, convalidated false and
-- "NOT VALID" in pg_get_constraintdef, enforced on new rows; ALTER TABLE … VALIDATE CONSTRAINT checks the rows
-- then marks it valid, and its errors
create table vp(id int primary key);
create table vc(id int, p int, q int);
insert into vp values (1), (2);
insert into vc values (1, 1, -1), (2, 3, 5);
alter table vc add constraint q_pos check (q >= 0) not valid;
alter table vc add constraint p_fk foreign key (p) references vp(id) not valid;
select conname, convalidated, pg_get_constraintdef(oid, true) from pg_constraint where conrelid = 'vc'::regclass order by 1;
\d vc
insert into vc values (3, 1, -5);
insert into vc values (3, 9, 5);
alter table vc validate constraint q_pos;
alter table vc validate constraint p_fk;
delete from vc where q < 0 or p = 3;
alter table vc validate constraint q_pos;
alter table vc validate constraint p_fk;
alter table vc validate constraint p_fk;
alter table vc validate constraint nope;
alter table vp add constraint u unique (id);
alter table vp validate constraint u;
select conname, convalidated, pg_get_constraintdef(oid, true) from pg_constraint where conrelid = 'vc'::regclass order by 1;
drop table vc, vp;
