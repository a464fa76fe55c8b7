-- float.c's degree trigonometry (sind … atan2d with its exact 30/45/60-degree values), cot, the hyperbolic functions,
-- range errors of the radian ones, and the regression aggregates (corr, covar_*, regr_*), Youngs-Cramer as PostgreSQL 15
select sind(30), cosd(60), tand(45), cotd(45), sind(-30), cosd(180), tand(135), sind(390), asind(0.5), acosd(0.5), atand(1), atan2d(1, 1), acosd(-0.5), sind(90), cosd(90), tand(90), cotd(90), tand(0), sind(0.1);
select sinh(1), cosh(1), tanh(1), asinh(1), acosh(2), atanh(0.5), atanh(1), cot(1), degrees(1), radians(180), sin(1), cos(1), tan(1), asin(0.3), acos(0.3), atan(3), atan2(1, 2);
select sin('inf'::float8);
select asin(2);
select acosh(0.5);
select atanh(2);
select sind('inf');
select sinh(1000), degrees(1e308);
select x, sind(x), cosd(x), tand(x) from generate_series(-360, 360, 15) x order by x;
create table rg(y float8, x float8);
insert into rg values (1, 2), (2, 3.5), (3, 5.25), (5, 7), (null, 1), (8, null), (13, 11.5);
select corr(y, x), covar_pop(y, x), covar_samp(y, x), regr_avgx(y, x), regr_avgy(y, x), regr_count(y, x) from rg;
select regr_intercept(y, x), regr_r2(y, x), regr_slope(y, x), regr_sxx(y, x), regr_sxy(y, x), regr_syy(y, x) from rg;
select corr(y, x) from rg where y > 100;
select covar_samp(y, x), corr(y, 1) from rg where y = 1;
select corr(y::int, x::real) from rg;
select x, corr(y, x) over (order by x rows between 2 preceding and current row) from rg order by x;
drop table rg;
