/**
 * Seeded random SQL for the differential test: window functions (every frame mode,
 * offsets, EXCLUDE, named windows), CTEs (plain, used twice, recursive) and set operations
 * over one small table with NULLs and duplicates. Every query ends in an ORDER BY over all
 * its output columns, and order-sensitive window functions get a total window order, so
 * a correct engine has exactly one right answer: PostgreSQL's.
 */

export const DIFF_TABLE_SQL = 'CREATE TABLE dw (id int PRIMARY KEY, g int, x int, t text, n numeric(6,2))';

/** The table's rows as INSERT statements (same seed → same rows). */
export function tableInserts(rand: () => number, rows = 36): string[] {
  const out: string[] = [];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  for (let id = 1; id <= rows; id++) {
    const g = rand() < 0.1 ? 'NULL' : String(1 + Math.floor(rand() * 4));
    const x = rand() < 0.12 ? 'NULL' : String(Math.floor(rand() * 16) - 5);
    const t = rand() < 0.1 ? 'NULL' : `'${pick(['a', 'b', 'c', 'd', 'e'])}'`;
    const n = rand() < 0.1 ? 'NULL' : (Math.floor(rand() * 2000) / 100 - 5).toFixed(2);
    out.push(`INSERT INTO dw VALUES (${id}, ${g}, ${x}, ${t}, ${n})`);
  }
  return out;
}

type Rand = () => number;
const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const int = (rand: Rand, lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));

/** Functions whose value depends on the order within peers (need a total window order). */
const ORDER_SENSITIVE = [
  'row_number()', 'ntile(3)', 'lag(x)', 'lag(x, 2, -1)', 'lead(x)', 'lead(t, 1, \'z\')',
  'first_value(x)', 'last_value(t)', 'nth_value(x, 2)', 'string_agg(t, \',\')', 'array_agg(x)',
];
/** Functions whose value depends only on the frame's set of rows (or on peer groups). */
const ORDER_FREE = [
  'count(*)', 'count(x)', 'sum(x)', 'avg(x)', 'min(x)', 'max(t)', 'sum(n)', 'avg(n)', 'max(n)',
  'bool_and(x > 0)', 'bool_or(x > 5)', 'rank()', 'dense_rank()', 'percent_rank()', 'cume_dist()',
];
const RANKING = new Set(['row_number()', 'ntile(3)', 'lag(x)', 'lag(x, 2, -1)', 'lead(x)', 'lead(t, 1, \'z\')', 'rank()', 'dense_rank()', 'percent_rank()', 'cume_dist()']);

function bound(rand: Rand, allowOffset: boolean, side: 'start' | 'end'): string {
  const choices = [side === 'start' ? 'UNBOUNDED PRECEDING' : 'UNBOUNDED FOLLOWING', 'CURRENT ROW'];
  if (allowOffset) choices.push(`${int(rand, 0, 3)} PRECEDING`, `${int(rand, 0, 3)} FOLLOWING`);
  return pick(rand, choices);
}

/** A frame clause valid for PostgreSQL (start not after end), or '' for the default. */
function frame(rand: Rand, mode: 'ROWS' | 'RANGE' | 'GROUPS', rangeOffsetOk: boolean): string {
  if (rand() < 0.25) return '';
  const offsets = mode !== 'RANGE' || rangeOffsetOk;
  const rank = (b: string): number => b.startsWith('UNBOUNDED P') ? 0 : b.endsWith('PRECEDING') ? 1 : b === 'CURRENT ROW' ? 2 : b.startsWith('UNBOUNDED F') ? 4 : 3;
  let s = bound(rand, offsets, 'start');
  let e = bound(rand, offsets, 'end');
  if (rank(s) > rank(e)) [s, e] = [e, s];
  if (s.startsWith('UNBOUNDED F')) s = 'CURRENT ROW';
  if (e.startsWith('UNBOUNDED P')) e = 'CURRENT ROW';
  const exclude = rand() < 0.3 ? ` EXCLUDE ${pick(rand, ['CURRENT ROW', 'GROUP', 'TIES', 'NO OTHERS'])}` : '';
  return ` ${mode} BETWEEN ${s} AND ${e}${exclude}`;
}

function windowSpec(rand: Rand, fn: string): string {
  const parts: string[] = [];
  const partition = pick(rand, ['', 'g', 'x % 2', 't', 'g, t']);
  if (partition) parts.push(`PARTITION BY ${partition}`);
  const total = ORDER_SENSITIVE.includes(fn);
  // without ORDER BY, order-sensitive functions see the rows in whatever order the
  // engine reads them: only order-free ones may go without
  const ordered = total || RANKING.has(fn) || rand() < 0.8;
  const mode = pick(rand, ['ROWS', 'RANGE', 'GROUPS'] as const);
  if (!ordered) return parts.join(' ');
  // ROWS frames and order-sensitive functions need a total order; RANGE with an offset
  // needs exactly one ORDER BY column of a numeric type.
  const key = pick(rand, ['x', 'n', 't', 'g', 'id']);
  const dir = pick(rand, ['', ' DESC', ' NULLS FIRST', ' DESC NULLS LAST']);
  const rangeOffset = mode === 'RANGE' && (key === 'x' || key === 'n' || key === 'id') && !total && rand() < 0.7;
  if (rangeOffset) {
    parts.push(`ORDER BY ${key}${dir}`);
  } else if (total || mode === 'ROWS') {
    parts.push(`ORDER BY ${key}${dir}${key === 'id' ? '' : ', id'}`);
  } else {
    parts.push(`ORDER BY ${key}${dir}`);
  }
  // ranking functions ignore frames; EXCLUDE removes whole peers or the row itself, so
  // a set-valued aggregate stays deterministic with ties
  let f = RANKING.has(fn) ? '' : frame(rand, mode, rangeOffset);
  if (rangeOffset && key === 'n') f = f.replace(/(\d) (PRECEDING|FOLLOWING)/g, '$1.5 $2');
  return `${parts.join(' ')}${f}`;
}

function windowQuery(rand: Rand): string {
  const count = int(rand, 1, 3);
  const cols: string[] = [];
  for (let i = 0; i < count; i++) {
    const fn = rand() < 0.45 ? pick(rand, ORDER_SENSITIVE) : pick(rand, ORDER_FREE);
    cols.push(`${fn} OVER (${windowSpec(rand, fn)}) AS w${i}`);
  }
  const where = pick(rand, ['', ' WHERE x IS NOT NULL', ' WHERE g <> 2', ' WHERE t > \'b\'', ' WHERE id % 3 <> 0']);
  return `SELECT id, ${cols.join(', ')} FROM dw${where} ORDER BY id`;
}

/** A named window used by two functions, one of them refining it with a frame. */
function namedWindowQuery(rand: Rand): string {
  const partition = pick(rand, ['g', 't', 'x % 3']);
  const fr = pick(rand, ['ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING', 'ROWS UNBOUNDED PRECEDING', 'GROUPS BETWEEN CURRENT ROW AND 1 FOLLOWING']);
  const f1 = pick(rand, ['sum(x)', 'count(*)', 'max(n)', 'string_agg(t, \'\')']);
  const f2 = pick(rand, ['row_number()', 'rank()', 'lag(id)', 'first_value(id)']);
  return `SELECT id, ${f1} OVER (w ${fr}) AS a, ${f2} OVER w AS b FROM dw WINDOW w AS (PARTITION BY ${partition} ORDER BY x, id) ORDER BY id`;
}

function cteQuery(rand: Rand): string {
  switch (int(rand, 0, 3)) {
    case 0: {
      const agg = pick(rand, ['sum(x)', 'count(*)', 'avg(n)', 'max(t)', 'min(x)']);
      const grp = pick(rand, ['g', 't', 'x % 3']);
      return `WITH s AS (SELECT ${grp} AS k, ${agg} AS v FROM dw GROUP BY 1) SELECT a.k, a.v, b.k AS k2 FROM s a LEFT JOIN s b ON a.k IS NOT DISTINCT FROM b.k ORDER BY 1, 2, 3`;
    }
    case 1: {
      const lo = int(rand, -3, 2);
      const hi = lo + int(rand, 1, 8);
      const all = rand() < 0.5 ? ' ALL' : '';
      return `WITH RECURSIVE r(k) AS (SELECT ${lo} UNION${all} SELECT k + 1 FROM r WHERE k < ${hi}) SELECT r.k, count(dw.id) FROM r LEFT JOIN dw ON dw.x = r.k GROUP BY r.k ORDER BY r.k`;
    }
    case 2: {
      const p = pick(rand, ['x > 0', 'g = 1', 't IN (\'a\', \'c\')', 'n < 2']);
      return `WITH a AS (SELECT id, x, g FROM dw WHERE ${p}), b AS (SELECT g, count(*) AS c FROM a GROUP BY g) SELECT a.id, a.x, b.c FROM a JOIN b ON a.g = b.g ORDER BY 1, 2, 3`;
    }
    default: {
      const depth = int(rand, 2, 6);
      return `WITH RECURSIVE chain(id, x, depth) AS (SELECT id, x, 1 FROM dw WHERE id <= 3 UNION ALL SELECT d.id, d.x, c.depth + 1 FROM chain c JOIN dw d ON d.id = c.id + 5 WHERE c.depth < ${depth}) SELECT * FROM chain ORDER BY 1, 2, 3`;
    }
  }
}

function setOpQuery(rand: Rand): string {
  const cols = pick(rand, ['x', 'g', 't', 'x, t', 'g, x % 2']);
  const p = (): string => pick(rand, ['x > 0', 'g <= 2', 't < \'c\'', 'x IS NULL OR g = 3', 'id % 2 = 0', 'n > 0']);
  const op = pick(rand, ['UNION', 'UNION ALL', 'INTERSECT', 'INTERSECT ALL', 'EXCEPT', 'EXCEPT ALL']);
  const width = cols.split(',').length;
  const order = Array.from({ length: width }, (_, i) => String(i + 1)).join(', ');
  const third = rand() < 0.3 ? ` ${pick(rand, ['UNION', 'EXCEPT', 'INTERSECT'])} SELECT ${cols} FROM dw WHERE ${p()}` : '';
  return `SELECT ${cols} FROM dw WHERE ${p()} ${op} SELECT ${cols} FROM dw WHERE ${p()}${third} ORDER BY ${order}`;
}

/** Windows over grouped rows, and a window's result filtered in an outer query. */
function layeredQuery(rand: Rand): string {
  switch (int(rand, 0, 2)) {
    case 0: {
      const grp = pick(rand, ['g', 't', 'x % 4']);
      const agg = pick(rand, ['sum(x)', 'count(*)', 'max(n)', 'min(t)']);
      const w = pick(rand, [`rank() OVER (ORDER BY ${agg} NULLS LAST)`, `sum(count(*)) OVER (ORDER BY ${grp} NULLS FIRST)`, `lag(${agg}) OVER (ORDER BY ${grp} NULLS FIRST)`]);
      return `SELECT ${grp} AS k, ${agg} AS a, ${w} AS w FROM dw GROUP BY ${grp} ORDER BY 1 NULLS FIRST, 2, 3`;
    }
    case 1: {
      const n = int(rand, 1, 3);
      const part = pick(rand, ['g', 't', 'x % 2']);
      return `SELECT * FROM (SELECT id, ${part} AS p, row_number() OVER (PARTITION BY ${part} ORDER BY x DESC NULLS LAST, id) AS rn FROM dw) s WHERE rn <= ${n} ORDER BY id`;
    }
    default: {
      const lim = int(rand, 1, 8);
      return `(SELECT x FROM dw ORDER BY x NULLS LAST, id LIMIT ${lim}) ${pick(rand, ['UNION', 'UNION ALL', 'EXCEPT'])} (SELECT g FROM dw ORDER BY id DESC LIMIT ${lim}) ORDER BY 1`;
    }
  }
}

/** One random query of the families above. */
export function randomQuery(rand: Rand): string {
  const r = rand();
  if (r < 0.45) return windowQuery(rand);
  if (r < 0.55) return namedWindowQuery(rand);
  if (r < 0.7) return cteQuery(rand);
  if (r < 0.85) return setOpQuery(rand);
  return layeredQuery(rand);
}
