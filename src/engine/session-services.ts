/**
 * What expressions and system relations ask of the session while a statement runs:
 * sequences (nextval, currval, setval), regclass names, settings, pg_settings, pg_cursors.
 */
import { SqlError, SqlState } from '../errors.js';
import type { SequenceDef, SystemRelationContext } from '../catalog/catalog.js';
import type { EvalContext, FunctionServices } from '../functions/api.js';
import { parseQualifiedName } from '../sql/names.js';
import type { SessionContext } from './context.js';
import { CostModel } from '../planner/cost.js';
import { costEnvOf } from './prepare.js';
import { ALL_SEQUENCE_PRIVILEGES, hasPrivilege } from '../catalog/roles.js';
import { builtinOperatorName, builtinProcSignatureParts, builtinRegprocName } from '../catalog/system/builtin-proc-rows.js';
import { formatType } from '../types/types.js';
import { quoteIdent } from '../types/identifiers.js';
import type { RegNameLookups } from '../types/text-io.js';
import { regprocInput } from '../catalog/functions/regproc-input.js';
import { regnamespaceIn, regnamespaceOut, regroleIn, regroleOut } from './reg-names.js';
import { schemaUsable } from '../catalog/schemas.js';
import { nowMicros } from '../types/datetime.js';
import { PgPrng } from '../functions/pg-prng.js';

/** printf's %g: six significant digits, trailing zeros dropped, an exponent below 1e-4 or from 1e6 */
function formatG(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const [mant, exp] = x.toExponential(5).split('e') as [string, string];
  const e = Number(exp);
  const trim = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (e < -4 || e >= 6) return `${trim(mant)}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return trim(x.toFixed(Math.max(0, 5 - e)));
}

/**
 * What functions ask of the session (sequences, reg* names, partitions): the same for every
 * statement of the session, so made once (Session keeps it); each call reads the session's
 * current state.
 */
export function functionServices(ctx: SessionContext): FunctionServices {
  const prng = new PgPrng();
  return {
    nextval: (seq) => {
      const s = usableSequence(ctx, seq, 'Uw');
      ctx.tx.checkWritable('nextval()');
      const v = ctx.catalog.nextval(s, ctx.logSequence);
      ctx.sequenceValues.note(s.oid, v);
      return v;
    },
    currval: (seq) => {
      const s = usableSequence(ctx, seq, 'rU');
      const v = ctx.sequenceValues.current(s.oid);
      if (v === undefined) throw new SqlError('55000', `currval of sequence "${s.name}" is not yet defined in this session`);
      return v;
    },
    lastval: () => {
      const oid = ctx.sequenceValues.last();
      const s = oid === undefined ? undefined : ctx.catalog.sequences.get(oid);
      if (!s) throw new SqlError('55000', 'lastval is not yet defined in this session');
      if (!holdsSequencePrivilege(ctx, s, 'rU')) throw new SqlError(SqlState.insufficientPrivilege, `permission denied for sequence ${s.name}`);
      return ctx.sequenceValues.current(s.oid)!;
    },
    setval: (seq, value, isCalled) => {
      const s = usableSequence(ctx, seq, 'w');
      ctx.tx.checkWritable('setval()');
      if (value < s.min || value > s.max) {
        throw new SqlError(SqlState.numericValueOutOfRange, `setval: value ${value} is out of bounds for sequence "${s.name}" (${s.min}..${s.max})`);
      }
      ctx.catalog.setval(s, value, isCalled, ctx.logSequence);
      // currval follows a setval that marks the value used (do_setval), lastval does not
      if (isCalled) ctx.sequenceValues.note(s.oid, value, false);
      return value;
    },
    random: () => prng.double(),
    setseed: (seed) => {
      if (!(seed >= -1 && seed <= 1)) throw new SqlError(SqlState.invalidParameterValue, `setseed parameter ${formatG(seed)} is out of allowed range [-1,1]`);
      prng.fseed(seed);
    },
    relationOid: (name) => relationOid(ctx, name),
    relationName: (oid) => relationName(ctx, oid),
    procName: (oid, signature) => procName(ctx, oid, signature),
    ...regLookups(ctx),
    partitionInfo: (oid) => {
      const catalog = ctx.catalog;
      const t = catalog.tables.get(oid);
      if (!t || t.kind === 'v') return undefined;
      const children = [...catalog.tables.values()].filter((c) => c.partitionOf?.parent === oid).map((c) => c.oid).sort((a, b) => a - b);
      return { parent: t.partitionOf?.parent, children, partitioned: t.kind === 'p' };
    },
  };
}

/** What every statement's EvalContext shares: made once per session (Session keeps it). */
export interface SessionFunctions {
  readonly setting: EvalContext['setting'];
  readonly notice: NonNullable<EvalContext['notice']>;
  readonly services: FunctionServices;
}

export function sessionFunctions(ctx: SessionContext): SessionFunctions {
  return {
    setting: (name) => ctx.settings.get(name),
    notice: (message) => ctx.notices.push({ severity: 'NOTICE', code: '00000', message }),
    services: functionServices(ctx),
  };
}

/** The statement's EvalContext: its timestamps and user over the session's functions. */
export function evalContext(ctx: SessionContext, user: string, fns: SessionFunctions = sessionFunctions(ctx)): EvalContext {
  const now = nowMicros();
  return {
    setting: fns.setting,
    statementTimestamp: now,
    transactionTimestamp: ctx.tx.idle ? now : ctx.tx.start,
    user,
    database: ctx.databaseName,
    notice: fns.notice,
    services: fns.services,
  };
}

/**
 * A sequence current_user holds one of `letters` on (nextval: USAGE or UPDATE, currval:
 * SELECT or USAGE, setval: UPDATE); an identity column's sequence serves its table's
 * INSERTs without them, as in PostgreSQL.
 */
function usableSequence(ctx: SessionContext, ref: string, letters: string): SequenceDef {
  const s = sequenceOf(ctx, ref);
  const owner = s.ownedBy ? ctx.catalog.tables.get(s.ownedBy.table)?.columns[s.ownedBy.column] : undefined;
  if (owner?.identity) return s;
  if (!holdsSequencePrivilege(ctx, s, letters)) throw new SqlError(SqlState.insufficientPrivilege, `permission denied for sequence ${s.name}`);
  return s;
}

/** current_user holds one of `letters` on the sequence */
function holdsSequencePrivilege(ctx: SessionContext, s: SequenceDef, letters: string): boolean {
  return [...letters].some((l) => hasPrivilege(ctx.engine.roles, ctx.currentRoleOid(), s, l, ALL_SEQUENCE_PRIVILEGES));
}

function sequenceOf(ctx: SessionContext, ref: string): SequenceDef {
  const byOid = /^\d+$/.test(ref);
  const s = byOid ? ctx.catalog.sequences.get(Number(ref)) : findSequenceByName(ctx, ref);
  if (!s && byOid && relationName(ctx, Number(ref)) !== undefined) throw new SqlError(SqlState.wrongObjectType, `"${relationName(ctx, Number(ref))}" is not a sequence`);
  if (!s) throw new SqlError(SqlState.undefinedTable, `relation "${ref}" does not exist`);
  return s;
}

/** database.schema.name is allowed for the current database only */
function localName(ctx: SessionContext, parts: string[]): string[] {
  if (parts.length === 2) return [ctx.temp.resolve(parts[0]!), parts[1]!];
  if (parts.length < 3) return parts;
  if (parts.length > 3) throw new SqlError('42601', `improper qualified name (too many dotted names): ${parts.join('.')}`);
  if (parts[0] !== ctx.databaseName) throw new SqlError(SqlState.featureNotSupported, `cross-database references are not implemented: "${parts.join('.')}"`);
  return localName(ctx, parts.slice(1));
}

/** a name qualified with a schema needs USAGE on it (LookupExplicitNamespace) */
function checkUsage(ctx: SessionContext, schema: string): void {
  if (!schemaUsable(ctx.catalog, ctx.engine.roles, ctx.currentRoleOid(), schema) && ctx.catalog.schemaExists(schema)) {
    throw new SqlError(SqlState.insufficientPrivilege, `permission denied for schema ${schema}`);
  }
}

function findSequenceByName(ctx: SessionContext, name: string): SequenceDef | undefined {
  const parts = localName(ctx, parseQualifiedName(name));
  const rel = parts[parts.length - 1]!;
  if (parts.length > 1) {
    checkUsage(ctx, parts[0]!);
    return ctx.catalog.findSequence(parts[0], rel);
  }
  // a public serial column's default names its sequence without a schema: found off the path too
  return ctx.searchPath().map((s) => ctx.catalog.findSequence(s, rel)).find((x) => x) ?? ctx.catalog.findSequence('public', rel);
}

/** 'name'::regclass: a table, sequence, index or system relation on the search path */
export function relationOid(ctx: SessionContext, name: string): number | undefined {
  const catalog = ctx.catalog;
  const parts = localName(ctx, parseQualifiedName(name));
  const schema = parts.length > 1 ? parts[0] : undefined;
  const rel = parts[parts.length - 1];
  if (schema) checkUsage(ctx, schema);
  const t = schema ? catalog.findTable(schema, rel) : ctx.searchPath().map((s) => catalog.findTable(s, rel)).find((x) => x);
  if (t) return t.oid;
  const schemas = schema ? [schema] : ctx.searchPath();
  for (const sp of schemas) {
    const found = catalog.findSequence(sp, rel) ?? catalog.findIndex(sp, rel);
    if (found) return found.oid;
  }
  const sys = ctx.engine.systemRelation(schema, rel);
  return sys?.oid;
}

/** a CREATE FUNCTION's OID by name (in a schema when given) */
export function userFunctionOid(ctx: SessionContext, name: string, schema?: string): number | undefined {
  return [...ctx.catalog.functions.values()].find((f) => f.name === name && (schema === undefined || f.schema === schema))?.oid;
}

/** reg* input by name (regproc, regnamespace, regrole) and regnamespace / regrole output, for casts and Bind parameters */
export function regLookups(ctx: SessionContext): Required<Omit<RegNameLookups, 'relationOid'>> {
  return {
    procOid: (name) => regprocInput(name, (fn, schema) => userFunctionOid(ctx, fn, schema)),
    namespaceOid: (name) => regnamespaceIn(ctx.catalog, name),
    namespaceName: (oid) => regnamespaceOut(ctx.catalog, oid),
    roleOid: (name) => regroleIn(ctx.engine.roles, name),
    roleName: (oid) => regroleOut(ctx.engine.roles, oid),
    operatorName: builtinOperatorName,
  };
}

/**
 * regprocout: a CREATE FUNCTION's name (quoted), else a built-in's as PostgreSQL prints it;
 * with `signature`, regprocedureout's `name(argtypes)` (format_procedure: qualified outside
 * pg_catalog and public, argument types as format_type_be spells them, no spaces).
 */
export function procName(ctx: SessionContext, oid: number, signature = false): string | undefined {
  const f = ctx.catalog.functions.get(oid);
  if (!signature) return f ? quoteIdent(f.name) : builtinRegprocName(oid);
  if (f) {
    const name = f.schema === 'pg_catalog' || f.schema === 'public' ? quoteIdent(f.name) : `${quoteIdent(f.schema)}.${quoteIdent(f.name)}`;
    return `${name}(${f.params.map((p) => formatType({ oid: p.type.oid, typmod: -1 })).join(',')})`;
  }
  const b = builtinProcSignatureParts(oid);
  return b ? `${quoteIdent(b.name)}(${b.args.map((a) => formatType({ oid: a, typmod: -1 })).join(',')})` : undefined;
}

/**
 * regclassout: a relation's name, with its schema when the search path does not find it
 * by the bare name (RelationIsVisible); `quote` quotes each part.
 */
export function relationName(ctx: SessionContext, oid: number, quote: (s: string) => string = (s) => s): string | undefined {
  const rel = ctx.catalog.relationOf(oid);
  if (!rel) {
    const sys = ctx.engine.allSystemRelations().find((r) => r.oid === oid);
    return sys && quote(sys.name);
  }
  const first = ctx.searchPath().find((s) => ctx.catalog.relationNameTaken(s, rel.name));
  return first === rel.schema ? quote(rel.name) : `${quote(rel.schema)}.${quote(rel.name)}`;
}

export function systemContext(ctx: SessionContext, user: string): SystemRelationContext {
  return {
    catalog: ctx.catalog,
    databases: [...ctx.engine.databases.keys()],
    setting: (name) => ctx.settings.get(name),
    allSettings: () => ctx.settings.pgSettings(),
    user,
    database: ctx.databaseName,
    roles: ctx.engine.roles,
    roleOid: ctx.currentRoleOid(),
    rowCount: (oid) => ctx.engine.storage.rowCount(oid),
    relationPages: (table) => new CostModel(ctx.catalog, costEnvOf(ctx)).relationPages(table),
    cursors: () => ctx.cursors.list(),
    preparedStatements: () => ctx.sqlPrepared.list(),
    activity: () => ctx.engine.activities(),
    locks: () => ctx.engine.advisoryLocks.rows().map((l) => ({ ...l.key, pid: l.session, mode: l.mode, granted: l.granted, ...(l.waitStart !== undefined ? { waitStart: l.waitStart } : {}) })),
    preparedXacts: () => ctx.engine.storage.preparedTransactions(),
    createIndexProgress: () => ctx.engine.createIndexProgress(),
    hbaFileRules: () => ctx.engine.hbaFileRules(),
    recoveryConflicts: () => ctx.engine.recoveryConflictCounts,
    ...(ctx.temp.name !== undefined ? { myTempSchema: ctx.temp.name } : {}),
  };
}
