/**
 * CREATE SCHEMA [IF NOT EXISTS] name [AUTHORIZATION role] [elements], ALTER SCHEMA … RENAME
 * TO | OWNER TO. A schema element names its objects in the new schema (transformCreateSchemaStmt):
 * unqualified names get it, another schema is 42P15.
 */
import type { AlterObjectSchemaStmt, AlterOwnerStmt, CreateSchemaStmt, Node, RangeVar, RenameStmt } from '@pgsql/types';
import { SqlError, SqlState } from '../../errors.js';
import { roleRef } from '../bind-role.js';
import { functionRef } from './bind-objects.js';
import { qualified } from './tree.js';
import type { BoundDdl } from './types.js';

/** binds one element given its text: the statement with all but that element blanked out (offsets stay) */
type BindElement = (node: Node, text: string) => BoundDdl | undefined;

/** CREATE SCHEMA with its elements bound, each named in the new schema */
export function bindCreateSchema(n: CreateSchemaStmt, statement: string, bindElement: BindElement): BoundDdl {
  const authorization = n.authrole ? roleRef(n.authrole) : undefined;
  // CREATE SCHEMA AUTHORIZATION r: the schema is named after the role
  const name = n.schemaname ?? (n.authrole?.rolename ?? '');
  const written = n.schemaElts ?? [];
  const siblings = new Set(written.map((e) => relationOf(e)?.relname).filter((x): x is string => !!x));
  const elements = orderElements(written).map((e) => {
    const inSchema = placeInSchema(e, name, siblings);
    const bound = bindElement(inSchema, elementText(statement, written, written.indexOf(e)));
    if (!bound) throw new SqlError(SqlState.featureNotSupported, `CREATE SCHEMA element ${Object.keys(e)[0]} is not supported`);
    return bound;
  });
  return { kind: 'createSchema', name, ifNotExists: !!n.if_not_exists, ...(authorization ? { authorization } : {}), elements };
}

/** ALTER SCHEMA a RENAME TO b (undefined: another kind of RENAME) */
export function bindRenameSchema(n: RenameStmt): BoundDdl | undefined {
  if (n.renameType !== 'OBJECT_SCHEMA') return undefined;
  return { kind: 'alterSchema', name: n.subname ?? '', newName: n.newname ?? '' };
}

const SET_SCHEMA_TYPES: Record<string, 'table' | 'view' | 'matview' | 'sequence' | 'function'> = {
  OBJECT_TABLE: 'table', OBJECT_VIEW: 'view', OBJECT_MATVIEW: 'matview', OBJECT_SEQUENCE: 'sequence', OBJECT_FUNCTION: 'function',
};

/** ALTER TABLE | VIEW | SEQUENCE | FUNCTION … SET SCHEMA s */
export function bindSetSchema(n: AlterObjectSchemaStmt): BoundDdl {
  const objectType = SET_SCHEMA_TYPES[n.objectType ?? ''];
  if (!objectType) throw new SqlError(SqlState.featureNotSupported, `ALTER ${(n.objectType ?? '').slice(7).replace(/_/g, ' ')} … SET SCHEMA is not supported`);
  const common = { kind: 'setSchema' as const, objectType, newSchema: n.newschema ?? '', missingOk: !!n.missing_ok };
  if (objectType === 'function' && n.object && 'ObjectWithArgs' in n.object) return { ...common, function: functionRef(n.object.ObjectWithArgs) };
  return { ...common, relation: qualified(n.relation) };
}

/** ALTER SCHEMA a OWNER TO r (undefined: another kind of object) */
export function bindAlterSchemaOwner(n: AlterOwnerStmt): BoundDdl | undefined {
  if (n.objectType !== 'OBJECT_SCHEMA' || !n.object || !('String' in n.object)) return undefined;
  return { kind: 'alterSchema', name: n.object.String.sval ?? '', owner: roleRef(n.newowner) };
}

/** transformCreateSchemaStmt runs sequences first, then tables, views, indexes, the rest */
const ELEMENT_ORDER = ['CreateSeqStmt', 'CreateStmt', 'ViewStmt', 'IndexStmt'];

function orderElements(elements: readonly Node[]): Node[] {
  const rank = (e: Node) => {
    const i = ELEMENT_ORDER.indexOf(Object.keys(e)[0] ?? '');
    return i < 0 ? ELEMENT_ORDER.length : i;
  };
  return [...elements].sort((a, b) => rank(a) - rank(b));
}

/** the relation an element creates (CREATE INDEX: the table it indexes, whose schema the index takes) */
function relationOf(element: Node): RangeVar | undefined {
  const body = Object.values(element)[0] as { relation?: RangeVar; view?: RangeVar; sequence?: RangeVar };
  const kind = Object.keys(element)[0];
  return kind === 'ViewStmt' ? body.view : kind === 'CreateSeqStmt' ? body.sequence : body.relation;
}

/**
 * The statement with everything but element `i` blanked out: from its name to the next
 * element's CREATE (a view keeps its query text as written, at the offsets its tree gives).
 */
function elementText(statement: string, elements: readonly Node[], i: number): string {
  const start = relationOf(elements[i]!)?.location ?? -1;
  if (start < 0) return statement;
  let end = statement.length;
  const next = i + 1 < elements.length ? relationOf(elements[i + 1]!)?.location ?? -1 : -1;
  if (next > start) {
    const before = statement.slice(start, next);
    const create = before.search(/\bCREATE\b[^()']*$/i);
    end = create >= 0 ? start + create : next;
  }
  return ' '.repeat(start) + statement.slice(start, end) + ' '.repeat(statement.length - end);
}

/**
 * The element with its relation's schema set to `schema` (a copy: the parse tree stays as
 * it was); a view's unqualified names of relations the same statement creates name them in
 * `schema` too (PostgreSQL puts the new schema first on the search path meanwhile).
 */
function placeInSchema(element: Node, schema: string, siblings: ReadonlySet<string>): Node {
  const copy = structuredClone(element) as Node;
  const rv = relationOf(copy);
  if ('ViewStmt' in copy) qualifySiblings(copy.ViewStmt.query, schema, siblings);
  if (rv) {
    if (rv.schemaname && rv.schemaname !== schema) {
      throw new SqlError('42P15', `CREATE specifies a schema (${rv.schemaname}) different from the one being created (${schema})`);
    }
    rv.schemaname = schema;
  }
  return copy;
}

function qualifySiblings(node: unknown, schema: string, siblings: ReadonlySet<string>): void {
  if (Array.isArray(node)) {
    for (const n of node) qualifySiblings(n, schema, siblings);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const rv = (node as { RangeVar?: RangeVar }).RangeVar;
  if (rv && !rv.schemaname && rv.relname && siblings.has(rv.relname)) rv.schemaname = schema;
  for (const v of Object.values(node)) qualifySiblings(v, schema, siblings);
}
