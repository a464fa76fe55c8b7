/** CREATE / ALTER / DROP POLICY and ALTER POLICY … RENAME from the parser's tree. */
import type { AlterPolicyStmt, CreatePolicyStmt, DropStmt, Node, RenameStmt } from '@pgsql/types';
import { roleRef } from '../bind-role.js';
import { plainDdlExpr as ddlExpr } from './parsed-expr.js';
import { names, qualified, qualifiedFromNames } from './tree.js';
import type { BoundDdl, PolicyCommand } from './types.js';

const COMMANDS: Readonly<Record<string, PolicyCommand>> = { all: '*', select: 'r', insert: 'a', update: 'w', delete: 'd' };

function roleRefs(nodes: readonly Node[] | undefined) {
  return (nodes ?? []).flatMap((n) => ('RoleSpec' in n ? [roleRef(n.RoleSpec)] : []));
}

export function bindCreatePolicy(n: CreatePolicyStmt): BoundDdl {
  return {
    kind: 'createPolicy', name: n.policy_name ?? '', table: qualified(n.table), command: COMMANDS[n.cmd_name ?? 'all'] ?? '*',
    permissive: !!n.permissive, roles: roleRefs(n.roles),
    using: n.qual ? ddlExpr(n.qual) : null, check: n.with_check ? ddlExpr(n.with_check) : null,
  };
}

export function bindAlterPolicy(n: AlterPolicyStmt): BoundDdl {
  return {
    kind: 'alterPolicy', name: n.policy_name ?? '', table: qualified(n.table),
    ...(n.roles?.length ? { roles: roleRefs(n.roles) } : {}),
    ...(n.qual ? { using: ddlExpr(n.qual) } : {}),
    ...(n.with_check ? { check: ddlExpr(n.with_check) } : {}),
  };
}

export function bindRenamePolicy(n: RenameStmt): BoundDdl {
  return { kind: 'alterPolicy', name: n.subname ?? '', table: qualified(n.relation), newName: n.newname ?? '' };
}

/** DROP POLICY [IF EXISTS] name ON table: each object is [schema,] table, policy */
export function bindDropPolicy(n: DropStmt): BoundDdl {
  const [first] = n.objects ?? [];
  const parts = first && 'List' in first ? names(first.List.items) : [];
  return { kind: 'dropPolicy', name: parts[parts.length - 1] ?? '', table: qualifiedFromNames(parts.slice(0, -1)), missingOk: !!n.missing_ok };
}
