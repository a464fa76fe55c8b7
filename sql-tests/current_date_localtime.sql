-- CURRENT_DATE, LOCALTIMESTAMP, LOCALTIME: the transaction start in the session time zone (they did not exist: "function current_date() does not exist")
set timezone = 'America/New_York';
select current_date = (now() at time zone 'America/New_York')::date, pg_typeof(current_date), pg_typeof(localtimestamp), pg_typeof(localtime);
select localtimestamp = (now() at time zone 'America/New_York'), localtime = (now() at time zone 'America/New_York')::time;
select current_date - 1 < current_date, current_date + interval '1 day' > localtimestamp;
create table cd(d date); insert into cd values ('2020-01-01'), ('2999-01-01');
explain (costs off) select * from cd where d > current_date;
select * from cd where d > current_date;
explain (costs off) select * from cd where d > localtimestamp;
select current_timestamp = now(), pg_typeof(current_timestamp(2));
drop table cd;
