#!/usr/bin/env node
/**
 * Writes src/catalog/system/builtin-catalogs.ts: PostgreSQL 15 + pgvector's own rows of
 * pg_cast, pg_aggregate and pg_collation, pg_type's support functions (typinput … typanalyze,
 * typsubscript) and the names of every function those rows (and pg_operator's oprrest /
 * oprjoin) refer to, for what Quiver has. Usage:
 *   node scripts/builtin-catalogs.mjs PG_PORT QUIVER_PORT
 * Run it after scripts/builtin-procs.mjs (it reads the pg_proc and pg_operator that one made),
 * against a Quiver built from this tree. Both servers get a scratch database with
 * `CREATE EXTENSION vector`, dropped afterwards.
 *
 * What is kept: a cast when Quiver has both types and binds `NULL::source::target`; an
 * aggregate when it is in Quiver's pg_proc; the libc collations (Quiver compares text by code
 * point, which is what C, POSIX, ucs_basic and C.utf8 mean; ICU's would promise orders it does
 * not have). OIDs are PostgreSQL's; pgvector's functions get Quiver's (PostgreSQL assigns
 * them per database): those in Quiver's pg_proc keep that OID, the rest 15400… in name order;
 * pgvector's casts keep the OIDs this file gave them before.
 */
import pg from 'pg';
import { readFileSync, writeFileSync } from 'node:fs';

const [pgPort, quiverPort] = process.argv.slice(2).map(Number);
if (!pgPort || !quiverPort) throw new Error('usage: node scripts/builtin-catalogs.mjs PG_PORT QUIVER_PORT');

const scratch = `quiver_catalogs_${process.pid}`;

/** runs fn on a client of a scratch database (with pgvector) of the server at port */
async function withScratch(port, fn) {
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${scratch}`);
  try {
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: scratch });
    await c.connect();
    try {
      await c.query('CREATE EXTENSION vector');
      return await fn(c);
    } finally {
      await c.end();
    }
  } finally {
    await admin.query(`DROP DATABASE ${scratch}`);
    await admin.end();
  }
}

const ARGS = (col) => `ARRAY(SELECT t.typname FROM unnest(${col}) WITH ORDINALITY a(o, i) JOIN pg_type t ON t.oid = a.o ORDER BY i)::text[]`;

/** an operator as left type, name, right type: pgvector's operator functions get the OID Quiver's pg_operator gives them */
const OPERATOR_KEY = "COALESCE(l.typname::text, '') || ' ' || o.oprname || ' ' || r.typname::text";
const quoteType = (t) => (t.startsWith('_') ? `${JSON.stringify(t.slice(1))}[]` : JSON.stringify(t));
const signature = (name, args) => `${name}(${args.join(',')})`;
const ref = await withScratch(pgPort, async (c) => {
  const vectorMember = (classid, col) => `EXISTS (SELECT 1 FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
    WHERE d.classid = '${classid}'::regclass AND d.objid = ${col} AND d.deptype = 'e' AND e.extname = 'vector')`;
  const casts = (await c.query(`SELECT c.oid::int AS oid, s.typname::text AS source, t.typname::text AS target, c.castfunc::int AS castfunc,
      c.castcontext, c.castmethod, ${vectorMember('pg_cast', 'c.oid')} AS pgvector
    FROM pg_cast c JOIN pg_type s ON s.oid = c.castsource JOIN pg_type t ON t.oid = c.casttarget ORDER BY c.oid`)).rows;
  const aggregates = (await c.query(`SELECT a.aggfnoid::oid::int AS aggfnoid, p.proname::text AS proname, ${ARGS('p.proargtypes')} AS args, a.aggkind,
      a.aggnumdirectargs, a.aggtransfn::oid::int AS aggtransfn, a.aggfinalfn::oid::int AS aggfinalfn, a.aggcombinefn::oid::int AS aggcombinefn,
      a.aggserialfn::oid::int AS aggserialfn, a.aggdeserialfn::oid::int AS aggdeserialfn, a.aggmtransfn::oid::int AS aggmtransfn,
      a.aggminvtransfn::oid::int AS aggminvtransfn, a.aggmfinalfn::oid::int AS aggmfinalfn, a.aggfinalextra, a.aggmfinalextra, a.aggfinalmodify,
      a.aggmfinalmodify, a.aggsortop::int AS aggsortop, tt.typname::text AS aggtranstype, a.aggtransspace, COALESCE(mt.typname::text, '') AS aggmtranstype,
      a.aggmtransspace, a.agginitval, a.aggminitval, ${vectorMember('pg_proc', 'p.oid')} AS pgvector
    FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid JOIN pg_type tt ON tt.oid = a.aggtranstype LEFT JOIN pg_type mt ON mt.oid = a.aggmtranstype
    ORDER BY a.aggfnoid`)).rows;
  const types = (await c.query(`SELECT typname::text AS typname, typinput::oid::int AS typinput, typoutput::oid::int AS typoutput,
      typreceive::oid::int AS typreceive, typsend::oid::int AS typsend, typmodin::oid::int AS typmodin, typmodout::oid::int AS typmodout,
      typanalyze::oid::int AS typanalyze, typsubscript::oid::int AS typsubscript
    FROM pg_type WHERE typnamespace IN ('pg_catalog'::regnamespace, 'public'::regnamespace) ORDER BY typname`)).rows;
  const collations = (await c.query(`SELECT oid::int AS oid, collname::text AS collname, collprovider, collisdeterministic, collencoding, collcollate,
      collctype, colliculocale, collversion FROM pg_collation WHERE collprovider <> 'i' ORDER BY oid`)).rows;
  const procs = (await c.query(`SELECT p.oid::int AS oid, p.proname::text AS proname, ${ARGS('p.proargtypes')} AS args, p.oid::regproc::text AS regproc,
      (SELECT typname::text FROM pg_type WHERE oid = p.prorettype) AS rettype, ${vectorMember('pg_proc', 'p.oid')} AS pgvector FROM pg_proc p`)).rows;
  const operators = (await c.query(`SELECT o.oprcode::oid::int AS oprcode, ${OPERATOR_KEY} AS key FROM pg_operator o
    LEFT JOIN pg_type l ON l.oid = o.oprleft JOIN pg_type r ON r.oid = o.oprright WHERE ${vectorMember('pg_operator', 'o.oid')}`)).rows;
  return { casts, aggregates, types, collations, procs, operators };
});
// Quiver: its types, its functions by signature, its operators' estimators, the casts it binds
const quiver = await withScratch(quiverPort, async (c) => {
  const types = new Set((await c.query('SELECT typname::text AS typname FROM pg_type')).rows.map((r) => r.typname));
  const procs = (await c.query(`SELECT p.oid::int AS oid, p.proname::text AS proname, n.nspname::text AS nspname, ${ARGS('p.proargtypes')} AS args
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace`)).rows;
  const estimators = (await c.query('SELECT DISTINCT oprrest::oid::int AS oid FROM pg_operator UNION SELECT DISTINCT oprjoin::oid::int FROM pg_operator')).rows
    .map((r) => r.oid).filter((o) => o !== 0);
  const operators = (await c.query(`SELECT o.oprcode::oid::int AS oprcode, ${OPERATOR_KEY} AS key FROM pg_operator o
    LEFT JOIN pg_type l ON l.oid = o.oprleft JOIN pg_type r ON r.oid = o.oprright`)).rows;
  // the casts it binds, among types it has
  const casts = [];
  for (const cast of ref.casts) {
    if (!types.has(cast.source) || !types.has(cast.target)) continue;
    try {
      await c.query(`EXPLAIN SELECT NULL::${quoteType(cast.source)}::${quoteType(cast.target)}`);
    } catch (e) {
      if (['42846', '42883', '42704', '0A000'].includes(e.code)) continue;
    }
    casts.push(cast);
  }
  return { types, procs, estimators, operators, casts };
});

const quiverProc = new Map(quiver.procs.map((p) => [signature(p.proname, p.args), p.oid]));

const pgProc = new Map(ref.procs.map((p) => [p.oid, p]));

const casts = quiver.casts;
const aggregates = ref.aggregates.filter((a) => quiverProc.has(signature(a.proname, a.args)));

// every function the kept rows name, with Quiver's OID: PostgreSQL's for core functions; pgvector's
// from Quiver's pg_proc, else (type I/O, aggregate support, casts Quiver evaluates without a
// callable function) a fixed one; the access methods' handlers keep the OIDs pg_am already uses
const FIXED_HANDLERS = { hnswhandler: 15590, ivfflathandler: 15591 };
const referenced = new Set(quiver.estimators);
for (const c of casts) referenced.add(c.castfunc);
for (const a of aggregates) for (const k of ['aggfnoid', 'aggtransfn', 'aggfinalfn', 'aggcombinefn', 'aggserialfn', 'aggdeserialfn', 'aggmtransfn', 'aggminvtransfn', 'aggmfinalfn']) referenced.add(a[k]);
const keptTypes = ref.types.filter((t) => quiver.types.has(t.typname));
const TYPE_PROCS = ['typinput', 'typoutput', 'typreceive', 'typsend', 'typmodin', 'typmodout', 'typanalyze', 'typsubscript'];
for (const t of keptTypes) for (const k of TYPE_PROCS) referenced.add(t[k]);
// pg_am's handlers (pgjdbc and psql print amhandler)
for (const name of ['heap_tableam_handler', 'bthandler', 'hashhandler', 'ginhandler', ...Object.keys(FIXED_HANDLERS)]) referenced.add(ref.procs.find((p) => p.proname === name).oid);
referenced.delete(0);

const oidOf = new Map();
const quiverOperatorCode = new Map(quiver.operators.map((o) => [o.key, o.oprcode]));
for (const o of ref.operators) if (quiverOperatorCode.has(o.key)) oidOf.set(o.oprcode, quiverOperatorCode.get(o.key));
const unnamedVector = [];
for (const oid of referenced) {
  const p = pgProc.get(oid);
  if (oidOf.has(oid)) continue;
  if (!p.pgvector) oidOf.set(oid, oid);
  else if (FIXED_HANDLERS[p.proname]) oidOf.set(oid, FIXED_HANDLERS[p.proname]);
  else if (quiverProc.has(signature(p.proname, p.args))) oidOf.set(oid, quiverProc.get(signature(p.proname, p.args)));
  else unnamedVector.push(p);
}
unnamedVector.sort((a, b) => signature(a.proname, a.args).localeCompare(signature(b.proname, b.args)));
unnamedVector.forEach((p, i) => oidOf.set(p.oid, 15400 + i));
if (unnamedVector.length > 190) throw new Error('pgvector support functions overflow 15400…15589');
const fn = (oid) => (oid === 0 ? 0 : oidOf.get(oid));

// functions not in Quiver's pg_proc: regproc output and input need their names
const inQuiver = new Set(quiver.procs.map((p) => p.oid));
const support = [...referenced].filter((o) => !inQuiver.has(oidOf.get(o))).map((o) => {
  const p = pgProc.get(o);
  return [oidOf.get(o), p.proname, p.regproc, p.pgvector ? 'public' : 'pg_catalog'];
}).sort((a, b) => a[0] - b[0]);

// pgvector's casts keep the OIDs the previous builtin-catalogs.ts gave them (the scratch database's change every run)
const previousCastOid = new Map(readFileSync(new URL('../src/catalog/system/builtin-catalogs.ts', import.meta.url), 'utf8').split('\n')
  .filter((l) => l.startsWith('  [') && l.endsWith(',true],') && /^\s*\[\d+,"[^"]+","[^"]+",\d+,"[a-z]","[a-z]",true\],$/.test(l))
  .map((l) => JSON.parse(l.trim().replace(/,$/, ''))).map((r) => [`${r[1]} ${r[2]}`, r[0]]));
const castRows = casts.map((c) => [c.pgvector ? previousCastOid.get(`${c.source} ${c.target}`) ?? c.oid : c.oid, c.source, c.target, fn(c.castfunc), c.castcontext, c.castmethod, c.pgvector]);
const castFunctions = [...new Set(casts.map((c) => c.castfunc).filter((o) => o !== 0))].map((o) => {
  const p = pgProc.get(o);
  return [fn(o), p.proname, p.args.join(' '), p.rettype];
}).sort((a, b) => a[0] - b[0]);
const aggRows = aggregates.map((a) => [fn(a.aggfnoid), a.aggkind, a.aggnumdirectargs, fn(a.aggtransfn), fn(a.aggfinalfn), fn(a.aggcombinefn),
  fn(a.aggserialfn), fn(a.aggdeserialfn), fn(a.aggmtransfn), fn(a.aggminvtransfn), fn(a.aggmfinalfn), a.aggfinalextra, a.aggmfinalextra,
  a.aggfinalmodify, a.aggmfinalmodify, a.aggsortop, a.aggtranstype, a.aggtransspace, a.aggmtranstype, a.aggmtransspace, a.agginitval, a.aggminitval, a.pgvector]);
const typeRows = keptTypes.map((t) => [t.typname, ...TYPE_PROCS.map((k) => fn(t[k]))]);
const collRows = ref.collations.map((c) => [c.oid, c.collname, c.collprovider, c.collisdeterministic, c.collencoding, c.collcollate, c.collctype,
  c.colliculocale, c.collversion]);

const list = (rows) => rows.map((r) => `  ${JSON.stringify(r)},`).join('\n');
writeFileSync(new URL('../src/catalog/system/builtin-catalogs.ts', import.meta.url), `/**
 * PostgreSQL 15 + pgvector 0.8's own rows of pg_cast (${castRows.length} of ${ref.casts.length}: the casts Quiver binds among
 * its types), pg_aggregate (${aggRows.length} of ${ref.aggregates.length}: the aggregates in Quiver's pg_proc), pg_collation
 * (${collRows.length} of ${ref.collations.length} libc ones; ICU's are left out) and pg_type's support functions.
 * Generated by scripts/builtin-catalogs.mjs; do not edit. Types are names (pg_type.typname);
 * pgvector's functions have Quiver's OIDs (pg_proc's; 15400… for any not listed there).
 */
/** oid, source type, target type, castfunc, castcontext, castmethod, pgvector's */
export type BuiltinCast = [number, string, string, number, string, string, boolean];

export const BUILTIN_CASTS: readonly BuiltinCast[] = [
${list(castRows)}
];

/**
 * The casts' functions (oid, proname, argument types, result type): Quiver binds a call of one
 * (int4(x), array_to_vector(a, 3, true)) as the cast it implements.
 */
export type CastFunction = [number, string, string, string];

export const CAST_FUNCTIONS: readonly CastFunction[] = [
${list(castFunctions)}
];

/** aggfnoid, aggkind, aggnumdirectargs, aggtransfn, aggfinalfn, aggcombinefn, aggserialfn, aggdeserialfn, aggmtransfn,
 * aggminvtransfn, aggmfinalfn, aggfinalextra, aggmfinalextra, aggfinalmodify, aggmfinalmodify, aggsortop, aggtranstype,
 * aggtransspace, aggmtranstype ('' for none), aggmtransspace, agginitval, aggminitval, pgvector's */
export type BuiltinAggregate = [number, string, number, number, number, number, number, number, number, number, number, boolean, boolean,
  string, string, number, string, number, string, number, string | null, string | null, boolean];

export const BUILTIN_AGGREGATES: readonly BuiltinAggregate[] = [
${list(aggRows)}
];

/** typname, typinput, typoutput, typreceive, typsend, typmodin, typmodout, typanalyze, typsubscript (0: none) */
export type BuiltinTypeProcs = [string, number, number, number, number, number, number, number, number];

export const BUILTIN_TYPE_PROCS: readonly BuiltinTypeProcs[] = [
${list(typeRows)}
];

/** oid, collname, collprovider, collisdeterministic, collencoding, collcollate, collctype, colliculocale, collversion */
export type BuiltinCollation = [number, string, string, boolean, number, string | null, string | null, string | null, string | null];

export const BUILTIN_COLLATIONS: readonly BuiltinCollation[] = [
${list(collRows)}
];

/**
 * Functions the rows above and pg_operator's estimators name that are not in Quiver's pg_proc
 * (their arguments are internal or cstring, or Quiver evaluates them only as casts): oid,
 * proname, PostgreSQL's regproc output, namespace.
 */
export type SupportProc = [number, string, string, 'pg_catalog' | 'public'];

export const SUPPORT_PROCS: readonly SupportProc[] = [
${list(support)}
];
`);
console.log(`kept ${castRows.length} of ${ref.casts.length} casts, ${aggRows.length} of ${ref.aggregates.length} aggregates, ${typeRows.length} types, ` +
  `${collRows.length} collations, ${support.length} support functions (${unnamedVector.length} of pgvector's)`);
