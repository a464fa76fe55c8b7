// The table of scripts/sql-tests-sharded.sh: one markdown row a sql-tests file, from the
// outputs test/sql-tests.test.js left in dist/sql-tests-results/ (a file without one: not run).
// For a failure: the first statement whose output differs from PostgreSQL's (found by walking
// psql's echo of the input, -a) and Quiver's first ERROR line from there, else its first
// differing line; the reason a first guess (router refusal, error text, wrong output).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const sqlDir = join(root, 'sql-tests');
const resultsDir = join(root, 'dist', 'sql-tests-results');
const shards = process.argv[2] ?? '2';
const only = process.env.SQL_TESTS?.split(',').map((s) => s.trim()).filter(Boolean);
const names = readdirSync(sqlDir).filter((f) => f.endsWith('.sql')).map((f) => f.slice(0, -4))
  .filter((n) => !only || only.includes(n)).sort();

/**
 * The statement whose output holds output line `upto`: psql echoes each input line before
 * the statement's output (-a), so it is the last input line echoed before `upto` and the
 * statement around it. Also the index of the next input line (the next statement's echo).
 */
function statementAt(sqlLines, out, upto) {
  let p = 0;
  for (let j = 0; j < upto && p < sqlLines.length; j++) if (out[j] === sqlLines[p]) p++;
  const isEnd = (l) => /;\s*$/.test(l) || l.startsWith('\\');
  const isFiller = (l) => l.trim() === '' || l.trimStart().startsWith('--');
  let end = Math.max(0, p - 1);
  while (end > 0 && isFiller(sqlLines[end])) end--;
  let start = end;
  while (start > 0 && !isEnd(sqlLines[start - 1])) start--;
  while (start < end && isFiller(sqlLines[start])) start++;
  let next = p;
  while (next < sqlLines.length && isFiller(sqlLines[next])) next++;
  return { text: sqlLines.slice(start, end + 1).join(' ').replace(/\s+/g, ' ').trim(), next: sqlLines[next] };
}

/**
 * The output without what EXPLAIN statements printed (a cluster's plans are the router's:
 * legitimately not PostgreSQL's), found by the same walk of psql's echo.
 */
function withoutExplain(sqlLines, out) {
  const kept = [];
  let p = 0;
  let explain = false;
  let atStart = true; // the next input line that is not blank or a comment starts a statement
  for (const line of out) {
    if (p < sqlLines.length && line === sqlLines[p]) {
      const filler = line.trim() === '' || line.trimStart().startsWith('--');
      if (atStart && !filler) explain = /^\s*explain\b/i.test(line);
      if (/;\s*(--.*)?$/.test(line) || line.startsWith('\\')) atStart = true;
      else if (!filler) atStart = false;
      p++;
      kept.push(line);
    } else if (!explain) kept.push(line);
  }
  return kept;
}

const firstDiff = (a, b) => { let i = 0; while (i < a.length && i < b.length && a[i] === b[i]) i++; return i; };

const cell = (s, max = 110) => { const t = s.length > max ? `${s.slice(0, max)}…` : s; return t.replace(/\|/g, '\\|'); };

function reason(error) {
  if (/shard router|sharded table|through the shard router/i.test(error)) return 'router refusal';
  if (/^ERROR:/.test(error)) return 'error';
  return 'output';
}

const rows = [];
const count = { pass: 0, fail: 0, missing: 0 };
const reasons = {};
for (const name of names) {
  const actualFile = join(resultsDir, `${name}.out`);
  if (!existsSync(actualFile)) { count.missing++; rows.push(`| ${name} | not run | | |`); continue; }
  const expected = readFileSync(join(sqlDir, 'expected', `${name}.out`), 'utf8').split('\n');
  const actual = readFileSync(actualFile, 'utf8').split('\n');
  if (firstDiff(expected, actual) === expected.length && expected.length === actual.length) { count.pass++; rows.push(`| ${name} | pass | | |`); continue; }
  count.fail++;
  const sqlLines = readFileSync(join(sqlDir, `${name}.sql`), 'utf8').split('\n');
  // the first difference outside EXPLAIN's plans; none: the plans alone differ
  const [want, got] = [withoutExplain(sqlLines, expected), withoutExplain(sqlLines, actual)];
  const i = firstDiff(want, got);
  if (i === want.length && i === got.length) {
    reasons['EXPLAIN plans only'] = (reasons['EXPLAIN plans only'] ?? 0) + 1;
    rows.push(`| ${name} | fail (EXPLAIN plans only) | | |`);
    continue;
  }
  const { text: stmt, next } = statementAt(sqlLines, want, i);
  // Quiver's error for that statement: an ERROR line before the next statement's echo
  let stop = got.indexOf(next, i);
  if (stop < 0) stop = Math.min(got.length, i + 40);
  const err = got.slice(i, stop).find((l) => l.startsWith('ERROR:')) ?? `got: ${got[i] ?? '(end)'} / want: ${want[i] ?? '(end)'}`;
  const why = reason(err);
  reasons[why] = (reasons[why] ?? 0) + 1;
  rows.push(`| ${name} | fail (${why}) | \`${cell(stmt)}\` | ${cell(err, 160)} |`);
}
console.log(`# sql-tests through a ${shards}-shard cluster\n`);
console.log('| file | result | first differing statement | Quiver |');
console.log('|---|---|---|---|');
for (const r of rows) console.log(r);
console.log('');
console.log(`failures by first guess: ${Object.entries(reasons).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
console.log(`${count.pass} of ${names.length} pass through a ${shards}-shard cluster; ${count.fail} fail${count.missing ? `; ${count.missing} not run` : ''}`);
