/**
 * CREATE DOMAIN, ALTER DOMAIN, CREATE TYPE … AS ENUM and ALTER TYPE (ADD VALUE, RENAME VALUE, RENAME TO, OWNER TO,
 * SET SCHEMA) as BoundDdl; DROP TYPE goes through bindDrop.
 */
import type { AlterDomainStmt, AlterEnumStmt, AlterObjectSchemaStmt, AlterOwnerStmt, ColumnDef, CompositeTypeStmt, Constraint, CreateDomainStmt, CreateEnumStmt, Node, RenameStmt } from '@pgsql/types';
import { SqlError, SqlState } from '../../errors.js';
import { roleRef } from '../bind-role.js';
import { ddlExpr, type DdlExpr } from './parsed-expr.js';
import { names, qualified, qualifiedFromNames, typeRef } from './tree.js';
import type { AlterDomainAction, BoundDdl, QualifiedName } from './types.js';

export function bindCreateEnum(n: CreateEnumStmt): BoundDdl {
  return { kind: 'createEnum', name: qualifiedFromNames(names(n.typeName)), labels: names(n.vals) };
}

/** CREATE TYPE name AS (a int, b text, …): the attributes' types resolved when the statement runs */
export function bindCreateComposite(n: CompositeTypeStmt): BoundDdl {
  const attributes = (n.coldeflist ?? []).map((c) => {
    const col = (c as { ColumnDef: ColumnDef }).ColumnDef;
    if ((col.constraints ?? []).length > 0) throw new SqlError(SqlState.featureNotSupported, 'constraints on composite type attributes are not supported');
    return { name: col.colname ?? '', type: typeRef(col.typeName) };
  });
  return { kind: 'createComposite', name: qualified(n.typevar), attributes };
}

export function bindAlterEnum(n: AlterEnumStmt): BoundDdl {
  const name = qualifiedFromNames(names(n.typeName));
  if (n.oldVal !== undefined) return { kind: 'alterType', name, action: { kind: 'renameValue', from: n.oldVal, to: n.newVal ?? '' } };
  return {
    kind: 'alterType', name,
    action: { kind: 'addValue', value: n.newVal ?? '', ifNotExists: !!n.skipIfNewValExists, ...(n.newValNeighbor !== undefined ? { neighbor: n.newValNeighbor, after: !!n.newValIsAfter } : {}) },
  };
}

function typeObjectName(obj: Node | undefined): QualifiedName {
  return obj && 'List' in obj ? qualifiedFromNames(names(obj.List.items)) : { name: '' };
}

/** ALTER TYPE name RENAME TO / OWNER TO / SET SCHEMA; undefined for another kind of object */
export function bindAlterTypeObject(node: Node): BoundDdl | undefined {
  if ('RenameStmt' in node && node.RenameStmt.renameType === 'OBJECT_TYPE') {
    const n: RenameStmt = node.RenameStmt;
    return { kind: 'alterType', name: typeObjectName(n.object), action: { kind: 'rename', newName: n.newname ?? '' } };
  }
  if ('AlterOwnerStmt' in node && node.AlterOwnerStmt.objectType === 'OBJECT_TYPE') {
    const n: AlterOwnerStmt = node.AlterOwnerStmt;
    return { kind: 'alterType', name: typeObjectName(n.object), action: { kind: 'owner', owner: roleRef(n.newowner) } };
  }
  if ('AlterObjectSchemaStmt' in node && node.AlterObjectSchemaStmt.objectType === 'OBJECT_TYPE') {
    const n: AlterObjectSchemaStmt = node.AlterObjectSchemaStmt;
    return { kind: 'alterType', name: typeObjectName(n.object), action: { kind: 'setSchema', schema: n.newschema ?? '' } };
  }
  return undefined;
}

/** The kinds of constraint a domain cannot have, as DefineDomain / AlterDomainAddConstraint refuse them (42601). */
const NOT_FOR_DOMAINS: Record<string, string> = {
  CONSTR_UNIQUE: 'unique constraints not possible for domains', CONSTR_PRIMARY: 'primary key constraints not possible for domains',
  CONSTR_EXCLUSION: 'exclusion constraints not possible for domains', CONSTR_FOREIGN: 'foreign key constraints not possible for domains',
  CONSTR_ATTR_DEFERRABLE: 'specifying constraint deferrability not supported for domains', CONSTR_ATTR_NOT_DEFERRABLE: 'specifying constraint deferrability not supported for domains',
  CONSTR_ATTR_DEFERRED: 'specifying constraint deferrability not supported for domains', CONSTR_ATTR_IMMEDIATE: 'specifying constraint deferrability not supported for domains',
  CONSTR_GENERATED: 'generated columns are not supported on domains', CONSTR_IDENTITY: 'identity columns are not supported on domains',
};

export function bindCreateDomain(n: CreateDomainStmt): BoundDdl {
  let defaultExpr: DdlExpr | undefined;
  let nullDefined: boolean | undefined;
  let error: SqlError | undefined;
  const checks: { name?: string; expr: DdlExpr }[] = [];
  for (const node of n.constraints ?? []) {
    if (!('Constraint' in node)) continue;
    const c: Constraint = node.Constraint;
    const t = c.contype ?? '';
    if (t === 'CONSTR_DEFAULT') {
      if (defaultExpr) error ??= new SqlError(SqlState.syntaxError, 'multiple default expressions');
      defaultExpr = ddlExpr(c.raw_expr!);
    } else if (t === 'CONSTR_NOTNULL' || t === 'CONSTR_NULL') {
      const notNull = t === 'CONSTR_NOTNULL';
      if (nullDefined !== undefined && nullDefined !== notNull) error ??= new SqlError(SqlState.syntaxError, 'conflicting NULL/NOT NULL constraints');
      nullDefined = notNull;
    } else if (t === 'CONSTR_CHECK') {
      checks.push({ ...(c.conname ? { name: c.conname } : {}), expr: ddlExpr(c.raw_expr!) });
    } else error ??= new SqlError(SqlState.syntaxError, NOT_FOR_DOMAINS[t] ?? `constraint ${t} not possible for domains`);
  }
  const collation = n.collClause ? names(n.collClause.collname).pop() : undefined;
  return {
    kind: 'createDomain', name: qualifiedFromNames(names(n.domainname)), base: typeRef(n.typeName), notNull: nullDefined ?? false, checks,
    ...(collation !== undefined ? { collation } : {}), ...(defaultExpr ? { default: defaultExpr } : {}), ...(error ? { error } : {}),
  };
}

/** ALTER DOMAIN … (subtype T default, N / O drop / set NOT NULL, C add, X drop, V validate constraint) */
export function bindAlterDomain(n: AlterDomainStmt): BoundDdl {
  const name = qualifiedFromNames(names(n.typeName));
  const action = ((): AlterDomainAction => {
    switch (n.subtype) {
      case 'T': return { kind: 'setDefault', expr: n.def ? ddlExpr(n.def) : undefined };
      case 'N': return { kind: 'setNotNull', notNull: false };
      case 'O': return { kind: 'setNotNull', notNull: true };
      case 'X': return { kind: 'dropConstraint', constraint: n.name ?? '', missingOk: !!n.missing_ok };
      case 'V': return { kind: 'validateConstraint', constraint: n.name ?? '' };
      default: {
        const c = n.def && 'Constraint' in n.def ? n.def.Constraint : undefined;
        if (c?.contype !== 'CONSTR_CHECK') {
          const t = c?.contype ?? '';
          return { kind: 'unsupported', error: new SqlError(SqlState.syntaxError, NOT_FOR_DOMAINS[t] ?? `constraint ${t} not possible for domains`) };
        }
        return { kind: 'addConstraint', ...(c.conname ? { name: c.conname } : {}), expr: ddlExpr(c.raw_expr!), notValid: !!c.skip_validation };
      }
    }
  })();
  return { kind: 'alterDomain', name, action };
}

/** ALTER DOMAIN name RENAME TO / RENAME CONSTRAINT / OWNER TO / SET SCHEMA; undefined for another kind of object */
export function bindAlterDomainObject(node: Node): BoundDdl | undefined {
  if ('RenameStmt' in node && (node.RenameStmt.renameType === 'OBJECT_DOMAIN' || node.RenameStmt.renameType === 'OBJECT_DOMCONSTRAINT')) {
    const n: RenameStmt = node.RenameStmt;
    const name = typeObjectName(n.object);
    if (n.renameType === 'OBJECT_DOMCONSTRAINT') return { kind: 'alterDomain', name, action: { kind: 'renameConstraint', from: n.subname ?? '', to: n.newname ?? '' } };
    return { kind: 'alterDomain', name, action: { kind: 'rename', newName: n.newname ?? '' } };
  }
  if ('AlterOwnerStmt' in node && node.AlterOwnerStmt.objectType === 'OBJECT_DOMAIN') {
    const n: AlterOwnerStmt = node.AlterOwnerStmt;
    return { kind: 'alterDomain', name: typeObjectName(n.object), action: { kind: 'owner', owner: roleRef(n.newowner) } };
  }
  if ('AlterObjectSchemaStmt' in node && node.AlterObjectSchemaStmt.objectType === 'OBJECT_DOMAIN') {
    const n: AlterObjectSchemaStmt = node.AlterObjectSchemaStmt;
    return { kind: 'alterDomain', name: typeObjectName(n.object), action: { kind: 'setSchema', schema: n.newschema ?? '' } };
  }
  return undefined;
}
