/**
 * CREATE TYPE … AS ENUM and ALTER TYPE (ADD VALUE, RENAME VALUE, RENAME TO, OWNER TO,
 * SET SCHEMA) as BoundDdl; DROP TYPE goes through bindDrop.
 */
import type { AlterEnumStmt, AlterObjectSchemaStmt, AlterOwnerStmt, CreateEnumStmt, Node, RenameStmt } from '@pgsql/types';
import { roleRef } from '../bind-role.js';
import { names, qualifiedFromNames } from './tree.js';
import type { BoundDdl, QualifiedName } from './types.js';

export function bindCreateEnum(n: CreateEnumStmt): BoundDdl {
  return { kind: 'createEnum', name: qualifiedFromNames(names(n.typeName)), labels: names(n.vals) };
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
