/** CREATE / ALTER / DROP POLICY and ALTER POLICY … RENAME from the parser's tree. */
import type { AlterPolicyStmt, CreatePolicyStmt, DropStmt, Node, RenameStmt } from '@pgsql/types';
import * as pg from 'libpg-query';
import { SqlError } from '../../errors.js';
import { roleRef } from '../bind-role.js';
import { parsedExpr, plainDdlExpr, type DdlExpr } from './parsed-expr.js';
import { names, qualified, qualifiedFromNames } from './tree.js';
import type { BoundDdl, PolicyCommand } from './types.js';

const COMMANDS: Readonly<Record<string, PolicyCommand>> = { all: '*', select: 'r', insert: 'a', update: 'w', delete: 'd' };

/**
 * A policy expression with its pg_get_expr text. The deparser prints no subqueries: such an
 * expression keeps its text as written, the parenthesized clause after USING / WITH CHECK
 * (tokens from PostgreSQL's own scanner, so strings and comments cannot confuse it).
 */
function policyExpr(node: Node, statement: string, keyword: 'USING' | 'CHECK'): DdlExpr {
  try {
    return plainDdlExpr(node);
  } catch (e) {
    if (!(e instanceof SqlError)) throw e;
    const text = clauseText(statement, keyword);
    if (text === undefined) throw e;
    return { tree: parsedExpr(node), sql: text };
  }
}

function clauseText(statement: string, keyword: 'USING' | 'CHECK'): string | undefined {
  const tokens = pg.scanSync(statement).tokens.filter((t) => t.tokenName !== 'SQL_COMMENT' && t.tokenName !== 'C_COMMENT');
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (depth === 0 && t.keywordKind > 0 && t.text.toUpperCase() === keyword && tokens[i + 1]?.text === '(') {
      let d = 0;
      for (let j = i + 1; j < tokens.length; j++) {
        if (tokens[j].text === '(') d++;
        else if (tokens[j].text === ')' && --d === 0) return statement.slice(tokens[i + 1].start, tokens[j].end);
      }
    }
  }
  return undefined;
}

function roleRefs(nodes: readonly Node[] | undefined) {
  return (nodes ?? []).flatMap((n) => ('RoleSpec' in n ? [roleRef(n.RoleSpec)] : []));
}

export function bindCreatePolicy(n: CreatePolicyStmt, statement: string): BoundDdl {
  return {
    kind: 'createPolicy', name: n.policy_name ?? '', table: qualified(n.table), command: COMMANDS[n.cmd_name ?? 'all'] ?? '*',
    permissive: !!n.permissive, roles: roleRefs(n.roles),
    using: n.qual ? policyExpr(n.qual, statement, 'USING') : null, check: n.with_check ? policyExpr(n.with_check, statement, 'CHECK') : null,
  };
}

export function bindAlterPolicy(n: AlterPolicyStmt, statement: string): BoundDdl {
  return {
    kind: 'alterPolicy', name: n.policy_name ?? '', table: qualified(n.table),
    ...(n.roles?.length ? { roles: roleRefs(n.roles) } : {}),
    ...(n.qual ? { using: policyExpr(n.qual, statement, 'USING') } : {}),
    ...(n.with_check ? { check: policyExpr(n.with_check, statement, 'CHECK') } : {}),
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
