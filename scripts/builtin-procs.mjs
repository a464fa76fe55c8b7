#!/usr/bin/env node
/**
 * Writes src/catalog/system/builtin-procs.ts and builtin-operators.ts: the rows of PostgreSQL
 * 15 + pgvector's pg_proc and pg_operator (with their descriptions) for the functions and
 * operators Quiver can call. Usage:
 *   node scripts/builtin-procs.mjs PG_PORT QUIVER_PORT
 * PG_PORT: a PostgreSQL 15 with pgvector (user postgres; a scratch database with
 * `CREATE EXTENSION vector` is made and dropped). QUIVER_PORT: a Quiver built from this tree.
 * A function counts as callable when Quiver binds a call with those argument types
 * (`EXPLAIN SELECT f(NULL::t1, …)`, polymorphic types replaced by integer ones) without
 * 42883/42725: a black-box probe, so the list follows what the binder really resolves; an
 * operator when `EXPLAIN SELECT NULL::l op NULL::r` binds. pgvector's functions must all be
 * listed (its extension script creates them): those taking `internal` (vector_recv,
 * hnswhandler, …) without a probe, since no SQL expression has that type (PostgreSQL cannot
 * call them either); the script fails when any other one does not bind.
 */
import pg from 'pg';
import { readFileSync, writeFileSync } from 'node:fs';

const [pgPort, quiverPort] = process.argv.slice(2).map(Number);
if (!pgPort || !quiverPort) throw new Error('usage: node scripts/builtin-procs.mjs PG_PORT QUIVER_PORT');

const scratch = `quiver_procs_${process.pid}`;
const admin = new pg.Client({ host: '127.0.0.1', port: pgPort, user: 'postgres', database: 'postgres' });
await admin.connect();
await admin.query(`CREATE DATABASE ${scratch}`);
let rows;
let operators;
try {
  const src = new pg.Client({ host: '127.0.0.1', port: pgPort, user: 'postgres', database: scratch });
  await src.connect();
  await src.query('CREATE EXTENSION vector');
  // type names (typname: _int4 for arrays) so Quiver maps them to its own OIDs, pgvector's included
  ({ rows } = await src.query(`
    SELECT p.oid::int AS oid, p.proname::text AS proname, n.nspname::text AS nspname, p.prokind, p.proretset, p.provolatile, p.proisstrict, p.proparallel,
           p.proleakproof, p.procost::float8 AS procost, p.prorows::float8 AS prorows, p.prolang::int AS prolang,
           p.pronargdefaults, rt.typname::text AS rettype, p.prosrc,
           COALESCE((SELECT t.typname::text FROM pg_type t WHERE t.oid = p.provariadic), '') AS variadic,
           ARRAY(SELECT t.typname FROM unnest(p.proargtypes) WITH ORDINALITY a(o, i) JOIN pg_type t ON t.oid = a.o ORDER BY i)::text[] AS argtypes,
           ARRAY(SELECT t.typname FROM unnest(p.proallargtypes) WITH ORDINALITY a(o, i) JOIN pg_type t ON t.oid = a.o ORDER BY i)::text[] AS allargtypes,
           p.proargmodes::text[] AS argmodes, p.proargnames,
           pg_get_function_arguments(p.oid) AS fargs, pg_get_function_identity_arguments(p.oid) AS fidargs, pg_get_function_result(p.oid) AS fresult,
           COALESCE(ag.aggkind, 'n') AS aggkind, COALESCE(ag.aggnumdirectargs, 0) AS directargs,
           COALESCE(obj_description(p.oid, 'pg_proc'), '') AS description, p.oid::regproc::text AS regproc,
           EXISTS (SELECT 1 FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid WHERE d.objid = p.oid AND d.deptype = 'e' AND e.extname = 'vector') AS pgvector
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_type rt ON rt.oid = p.prorettype
      LEFT JOIN pg_aggregate ag ON ag.aggfnoid = p.oid
     WHERE n.nspname IN ('pg_catalog', 'public') ORDER BY p.proname, p.oid`));
  ({ rows: operators } = await src.query(`
    SELECT o.oid::int AS oid, o.oprname::text AS oprname, o.oprkind, o.oprcanmerge, o.oprcanhash,
           COALESCE(lt.typname::text, '') AS lefttype, rt.typname::text AS righttype, res.typname::text AS resulttype,
           o.oprcom::int AS oprcom, o.oprnegate::int AS oprnegate, o.oprcode::oid::int AS oprcode, o.oprcode::text AS codename, o.oprrest::oid::int AS oprrest, o.oprjoin::oid::int AS oprjoin,
           COALESCE(obj_description(o.oid, 'pg_operator'), '') AS description,
           EXISTS (SELECT 1 FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid WHERE d.objid = o.oid AND d.deptype = 'e' AND e.extname = 'vector') AS pgvector
      FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace
      LEFT JOIN pg_type lt ON lt.oid = o.oprleft JOIN pg_type rt ON rt.oid = o.oprright JOIN pg_type res ON res.oid = o.oprresult
     WHERE n.nspname IN ('pg_catalog', 'public') ORDER BY o.oprname, o.oid`));
  await src.end();
} finally {
  await admin.query(`DROP DATABASE ${scratch}`);
  await admin.end();
}

const POLY = { anyelement: 'int4', anynonarray: 'int4', anycompatible: 'int4', any: 'int4', anyarray: '_int4', anycompatiblearray: '_int4', anyrange: 'int4range', anymultirange: 'int4multirange' };
const UNUSABLE = new Set(['internal', 'cstring', 'trigger', 'event_trigger', 'language_handler', 'fdw_handler', 'index_am_handler', 'tsm_handler',
  'table_am_handler', 'pg_ddl_command', 'anyenum', 'anycompatiblerange', 'anycompatiblemultirange', 'anycompatiblenonarray']);

const quiver = new pg.Client({ host: '127.0.0.1', port: quiverPort, user: 'postgres', database: 'postgres' });
await quiver.connect();
const typeKnown = new Map();
async function knownType(name) {
  if (!typeKnown.has(name)) {
    const r = await quiver.query('SELECT count(*)::int AS n FROM pg_type WHERE typname = $1', [name]);
    typeKnown.set(name, r.rows[0].n > 0);
  }
  return typeKnown.get(name);
}

const quoteType = (t) => (t.startsWith('_') ? `${JSON.stringify(t.slice(1))}[]` : JSON.stringify(t));
const kept = [];
for (const p of rows) {
  if (p.prokind === 'p') continue; // procedures: Quiver has no CALL
  const types = [p.rettype, ...p.argtypes];
  if (p.pgvector && p.argtypes.includes('internal')) {
    if (!(await Promise.all(types.map(knownType))).every(Boolean)) throw new Error(`Quiver lacks a type of pgvector's ${p.proname}(${p.argtypes})`);
    kept.push(p);
    continue;
  }
  if (types.some((t) => UNUSABLE.has(t) && !(p.pgvector && t === 'cstring'))) continue;
  const args = p.argtypes.map((t) => POLY[t] ?? t);
  if (!(await Promise.all([...args, ...(POLY[p.rettype] ? [] : [p.rettype])].filter((t) => t !== 'record' && t !== 'void').map(knownType))).every(Boolean)) continue;
  const name = `${p.pgvector ? '' : 'pg_catalog.'}${JSON.stringify(p.proname)}`;
  const nulls = (types) => types.map((t) => `NULL::${quoteType(t)}`).join(', ');
  // ordered-set and hypothetical-set aggregates: direct arguments, then WITHIN GROUP's
  // count(*): PostgreSQL's zero-argument aggregate
  // a VARIADIC array parameter (not "any"): called as f(…, VARIADIC array)
  const variadicArray = p.variadic !== '' && p.variadic !== 'any' && p.prokind === 'f';
  const call = p.prokind === 'a' && args.length === 0 ? `${name}(*)` : p.aggkind === 'n'
    ? `${name}(${variadicArray ? [nulls(args.slice(0, -1)), `VARIADIC ${nulls(args.slice(-1))}`].filter((s) => s !== '').join(', ') : nulls(args)})`
    : `${name}(${nulls(args.slice(0, p.directargs))}) WITHIN GROUP (ORDER BY ${nulls(args.slice(p.directargs))})`;
  const sql = p.proretset && p.prokind === 'f' ? `EXPLAIN SELECT * FROM ${call}` : p.prokind === 'w' ? `EXPLAIN SELECT ${call} OVER ()` : `EXPLAIN SELECT ${call}`;
  try {
    await quiver.query(sql);
  } catch (e) {
    if (['42883', '42725', '42704', '0A000', '42601', '42809'].includes(e.code)) continue;
    // any other error (a constant folded at plan time, …) still means the binder found the function
  }
  kept.push(p);
}

const missing = rows.filter((p) => p.pgvector && !kept.includes(p)).map((p) => `${p.proname}(${p.argtypes.join(', ')})`);
if (missing.length) throw new Error(`pgvector's functions Quiver does not bind: ${missing.join(' ')}`);

// operators: `NULL::l op NULL::r` (prefix: `op NULL::r`) must bind
const keptOps = [];
for (const o of operators) {
  const types = [o.lefttype, o.righttype, o.resulttype].filter((t) => t !== '');
  if (types.some((t) => UNUSABLE.has(t))) continue;
  const operand = (t) => `NULL::${quoteType(POLY[t] ?? t)}`;
  if (!(await Promise.all(types.map((t) => POLY[t] ?? t).filter((t) => t !== 'record').map(knownType))).every(Boolean)) continue;
  const op = o.pgvector ? o.oprname : `OPERATOR(pg_catalog.${o.oprname})`;
  const expr = o.lefttype === '' ? `${op} ${operand(o.righttype)}` : `${operand(o.lefttype)} ${op} ${operand(o.righttype)}`;
  try {
    await quiver.query(`EXPLAIN SELECT ${expr}`);
  } catch (e) {
    if (['42883', '42725', '42704', '0A000', '42601', '42809'].includes(e.code)) continue;
  }
  keptOps.push(o);
}
await quiver.end();

// pgvector's functions and operators get fixed OIDs of Quiver's own (PostgreSQL assigns them per database):
// the ones the previous builtin-procs.ts / builtin-operators.ts gave them, new ones after those
function previousRows(file) {
  return readFileSync(new URL(`../src/catalog/system/${file}`, import.meta.url), 'utf8').split('\n')
    .filter((l) => l.startsWith('  [')).map((l) => JSON.parse(l.trim().replace(/,$/, '')));
}
function previousOids(file, key) {
  return new Map(previousRows(file).filter((r) => r[2] === 'public').map((r) => [key(r), r[0]]));
}
function assignOids(items, first, key, previous) {
  // new ones below 15300: the OIDs above it were given before all of pgvector's functions were in pg_proc
  // (oprcode-only 15300…, type I/O and aggregate support 15400…, the access methods' handlers 15590…)
  let next = Math.max(first - 1, ...[...previous.values()].filter((o) => o < first + 300)) + 1;
  return new Map(items.map((x) => [x.oid, !x.pgvector ? x.oid : previous.get(key(x)) ?? next++]));
}
const procOid = assignOids(kept, 15000, (p) => `${p.proname}(${p.argtypes.join(' ')})`, previousOids('builtin-procs.ts', (r) => `${r[1]}(${r[14]})`));
const opOid = assignOids(keptOps, 15600, (o) => `${o.lefttype} ${o.oprname} ${o.righttype}`, previousOids('builtin-operators.ts', (r) => `${r[6]} ${r[1]} ${r[7]}`));
const out = kept.map((p) => [
  procOid.get(p.oid), p.proname, p.pgvector ? 'public' : 'pg_catalog', p.prokind, p.proretset, p.provolatile, p.proisstrict,
  p.proparallel, p.proleakproof, p.procost, p.prorows, p.prolang, p.pronargdefaults, p.rettype, p.argtypes.join(' '), p.variadic,
  p.allargtypes.length ? p.allargtypes.join(' ') : null, p.argmodes, p.proargnames, p.prosrc, p.fargs, p.fidargs, p.fresult, p.description, p.regproc,
]);
const lines = out.map((r) => `  ${JSON.stringify(r)},`);
writeFileSync(new URL('../src/catalog/system/builtin-procs.ts', import.meta.url), `/**
 * pg_proc rows of PostgreSQL 15 + pgvector 0.8 for the built-in functions Quiver can call and all
 * of pgvector's (${out.length} of ${rows.length}). Generated by scripts/builtin-procs.mjs; do not edit.
 * Types are names (pg_type.typname) mapped to Quiver's OIDs when pg_proc is read;
 * pgvector's functions have fixed OIDs of Quiver's (PostgreSQL assigns them per database):
 * 15000…, and 15300…15591 for those pg_operator and pg_type named before they were listed here.
 */
/** oid, proname, namespace, prokind, proretset, provolatile, proisstrict, proparallel, proleakproof, procost, prorows,
 * prolang, pronargdefaults, rettype, argtypes, variadic, allargtypes, argmodes, argnames, prosrc, and PostgreSQL's
 * pg_get_function_arguments, pg_get_function_identity_arguments, pg_get_function_result, description, regproc output */
export type BuiltinProc = [number, string, 'pg_catalog' | 'public', string, boolean, string, boolean, string, boolean, number, number,
  number, number, string, string, string, string | null, string[] | null, string[] | null, string, string, string, string, string, string];

export const BUILTIN_PROCS: readonly BuiltinProc[] = [
${lines.join('\n')}
];
`);
// an operator's commutator and negator are kept only when Quiver lists them too (else 0); its function
// keeps PostgreSQL's OID (pgvector's: the one pg_proc gives it above) and its name for regproc output
const refOp = (oid) => opOid.get(oid) ?? 0;
const refProc = (oid) => procOid.get(oid) ?? oid;
const ops = keptOps.map((o) => [opOid.get(o.oid), o.oprname, o.pgvector ? 'public' : 'pg_catalog', o.oprkind, o.oprcanmerge, o.oprcanhash,
  o.lefttype, o.righttype, o.resulttype, refOp(o.oprcom), refOp(o.oprnegate), refProc(o.oprcode), o.oprrest, o.oprjoin, o.description,
  o.codename]);
writeFileSync(new URL('../src/catalog/system/builtin-operators.ts', import.meta.url), `/**
 * pg_operator rows of PostgreSQL 15 + pgvector 0.8 for the operators Quiver can evaluate
 * (${ops.length} of ${operators.length}). Generated by scripts/builtin-procs.mjs; do not edit.
 * Types are names (pg_type.typname, '' for a prefix operator's missing left side);
 * pgvector's operators have OIDs 15600…, their functions pg_proc's (builtin-procs.ts).
 */
/** oid, oprname, namespace, oprkind, oprcanmerge, oprcanhash, left, right, result, oprcom, oprnegate, oprcode, oprrest, oprjoin, description,
 * oprcode's regproc output */
export type BuiltinOperator = [number, string, 'pg_catalog' | 'public', string, boolean, boolean, string, string, string, number, number, number, number, number, string, string];

export const BUILTIN_OPERATORS: readonly BuiltinOperator[] = [
${ops.map((r) => `  ${JSON.stringify(r)},`).join('\n')}
];
`);
console.log(`kept ${out.length} of ${rows.length} functions, ${ops.length} of ${operators.length} operators`);
