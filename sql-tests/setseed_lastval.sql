-- setseed / random() give PostgreSQL 15's numbers (its xoroshiro128** and seeding); currval and lastval are the
-- session's own (nextval, setval with is_called, DISCARD SEQUENCES, a dropped sequence), with PostgreSQL's errors
select setseed(0.5);
select random(), random(), random();
select setseed(-0.25);
select random();
select setseed(0);
select random();
select setseed(1.5);
select setseed(1e10);
create sequence lv1; create sequence lv2;
select lastval();
select currval('lv1');
select nextval('lv1'), nextval('lv1'), nextval('lv2');
select lastval(), currval('lv1'), currval('lv2');
select setval('lv1', 50);
select lastval(), currval('lv1');
select setval('lv2', 70, false), currval('lv2');
discard sequences;
select currval('lv1');
select lastval();
select nextval('lv2');
drop sequence lv2;
select lastval();
drop sequence lv1;
