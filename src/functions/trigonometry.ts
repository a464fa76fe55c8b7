/**
 * float8 trigonometry as PostgreSQL 15's float.c: the radian functions with their range
 * errors, the degree functions (sind, cosd, tand, cotd, asind, acosd, atand, atan2d) with its
 * exactness tricks (sind(30) is exactly 0.5, tand(45) exactly 1), cot, and the hyperbolic ones.
 */
import { SqlError, SqlState } from '../errors.js';
import type { Value } from '../types/types.js';
import { checkFloat8 } from '../types/float.js';

const outOfRange = (): SqlError => new SqlError(SqlState.numericValueOutOfRange, 'input is out of range');
const underflow = (): SqlError => new SqlError(SqlState.numericValueOutOfRange, 'value out of range: underflow');

const RADIANS_PER_DEGREE = 0.0174532925199432957692;
// init_degree_constants (volatile there, so not folded at compile time)
const SIN_30 = Math.sin(30 * RADIANS_PER_DEGREE);
const ONE_MINUS_COS_60 = 1 - Math.cos(60 * RADIANS_PER_DEGREE);
const ASIN_0_5 = Math.asin(0.5);
const ACOS_0_5 = Math.acos(0.5);
const ATAN_1_0 = Math.atan(1);

const sind0to30 = (x: number): number => Math.sin(x * RADIANS_PER_DEGREE) / SIN_30 / 2;
const cosd0to60 = (x: number): number => 1 - (1 - Math.cos(x * RADIANS_PER_DEGREE)) / ONE_MINUS_COS_60 / 2;
const sindQ1 = (x: number): number => (x <= 30 ? sind0to30(x) : cosd0to60(90 - x));
const cosdQ1 = (x: number): number => (x <= 60 ? cosd0to60(x) : sind0to30(90 - x));
const asindQ1 = (x: number): number => (x <= 0.5 ? (Math.asin(x) / ASIN_0_5) * 30 : 90 - (Math.acos(x) / ACOS_0_5) * 60);
const acosdQ1 = (x: number): number => (x <= 0.5 ? 90 - (Math.asin(x) / ASIN_0_5) * 30 : (Math.acos(x) / ACOS_0_5) * 60);
const TAN_45 = sindQ1(45) / cosdQ1(45);
const COT_45 = cosdQ1(45) / sindQ1(45);

/** an infinite argument is out of range; NaN passes through as NaN */
function finiteArg(x: number): boolean {
  if (Number.isNaN(x)) return false;
  if (!Number.isFinite(x)) throw outOfRange();
  return true;
}

/** x reduced to [0, 180] with the sign odd functions need (fmod keeps the dividend's sign, as JS % does) */
function reduceOdd(x: number): { x: number; sign: number } {
  let a = x % 360, sign = 1;
  if (a < 0) { a = -a; sign = -sign; }
  if (a > 180) { a = 360 - a; sign = -sign; }
  return { x: a, sign };
}

function sind(x: number): number {
  if (!finiteArg(x)) return NaN;
  const r = reduceOdd(x);
  return r.sign * sindQ1(r.x > 90 ? 180 - r.x : r.x);
}

function cosd(x: number): number {
  if (!finiteArg(x)) return NaN;
  let a = Math.abs(x % 360), sign = 1;
  if (a > 180) a = 360 - a;
  if (a > 90) { a = 180 - a; sign = -1; }
  return sign * cosdQ1(a);
}

/** tand / cotd: a ratio of the first-quadrant functions, normalized so 45 degrees gives exactly 1; never -0 */
function tanLike(x: number, cot: boolean): number {
  if (!finiteArg(x)) return NaN;
  const r = reduceOdd(x);
  let a = r.x, sign = r.sign;
  if (a > 90) { a = 180 - a; sign = -sign; }
  const v = cot ? cosdQ1(a) / sindQ1(a) / COT_45 : sindQ1(a) / cosdQ1(a) / TAN_45;
  const result = sign * v;
  return result === 0 ? 0 : result;
}

function unitArg(x: number): boolean {
  if (Number.isNaN(x)) return false;
  if (x < -1 || x > 1) throw outOfRange();
  return true;
}

const asind = (x: number): number => (!unitArg(x) ? NaN : x >= 0 ? asindQ1(x) : -asindQ1(-x));
const acosd = (x: number): number => (!unitArg(x) ? NaN : x >= 0 ? acosdQ1(x) : 90 + asindQ1(-x));

/** the radian functions: an infinite argument (sin, cos, tan, cot) or one outside [-1, 1] (asin, acos) is 22003 */
const periodic = (f: (x: number) => number) => (x: number): number => (finiteArg(x) ? f(x) : NaN);
const inverse = (f: (x: number) => number) => (x: number): number => (unitArg(x) ? f(x) : NaN);

function cosh(x: number): number {
  const r = Math.cosh(x);
  if (r === 0) throw underflow();
  return r;
}
function acosh(x: number): number {
  if (x < 1) throw outOfRange();
  return Math.acosh(x);
}
function atanh(x: number): number {
  if (x < -1 || x > 1) throw outOfRange();
  return Math.atanh(x);
}
type Def = { name: string; args: string[]; ret: string; impl: (args: readonly Value[]) => Value };
const unary = (name: string, f: (x: number) => number): Def => ({ name, args: ['float8'], ret: 'float8', impl: ([x]) => f(x as number) });

export const TRIGONOMETRY_FUNCTIONS: readonly Def[] = [
  unary('sin', periodic(Math.sin)), unary('cos', periodic(Math.cos)), unary('tan', periodic(Math.tan)),
  unary('cot', periodic((x) => 1 / Math.tan(x))),
  unary('asin', inverse(Math.asin)), unary('acos', inverse(Math.acos)), unary('atan', Math.atan),
  { name: 'atan2', args: ['float8', 'float8'], ret: 'float8', impl: ([y, x]) => Math.atan2(y as number, x as number) },
  unary('sind', sind), unary('cosd', cosd), unary('tand', (x) => tanLike(x, false)), unary('cotd', (x) => tanLike(x, true)),
  unary('asind', asind), unary('acosd', acosd), unary('atand', (x) => (Number.isNaN(x) ? NaN : (Math.atan(x) / ATAN_1_0) * 45)),
  { name: 'atan2d', args: ['float8', 'float8'], ret: 'float8', impl: ([y, x]) => (Math.atan2(y as number, x as number) / ATAN_1_0) * 45 },
  // sinh overflows to ±Infinity without an error (dsinh); cosh's underflow cannot happen but is PostgreSQL's check
  unary('sinh', Math.sinh), unary('cosh', cosh), unary('tanh', Math.tanh),
  unary('asinh', Math.asinh), unary('acosh', acosh), unary('atanh', atanh),
  // float8_div / float8_mul: an infinite result from a finite argument overflows
  unary('degrees', (x) => checkFloat8(x / RADIANS_PER_DEGREE, !Number.isFinite(x), true)),
  unary('radians', (x) => checkFloat8(x * RADIANS_PER_DEGREE, !Number.isFinite(x), true)),
];
