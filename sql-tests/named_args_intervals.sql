-- named arguments (f(x => 1)) and interval field ranges (interval '1' day)
select interval '1 day 2 hours 3 min' hour, interval '14 months' year, interval '1.5' day, interval '2' hour to minute, interval '3' year, interval '7' month, interval '1 day 2:03:04.5' day to minute, interval '10' minute, interval '-2' day;
SELECT make_interval(days => 10), make_interval(1, hours => 2), make_interval(secs => 1.5, weeks => 1);
SELECT jsonb_set('{"a":1}', '{b}', '2', create_if_missing => false), jsonb_set(jsonb_in => '{"a":1}', path => '{b}', replacement => '2');
SELECT make_interval(foo => 1);
SELECT make_interval(days => 1, days => 2);
SELECT make_date(year => 2024, month => 2, day => 29);
