/**
 * CREATE FUNCTION … LANGUAGE sql from the parser's tree: the definition the catalog keeps.
 * Its body is bound at each call site (src/sql/bind-function.ts). Other languages (plpgsql,
 * c, …) are refused with 0A000 rather than accepted and never run.
 */
import type { CreateFunctionStmt, Node, TypeName } from '@pgsql/types';
import { SqlError, SqlState } from '../../errors.js';
import type { SqlFunctionDef } from '../../catalog/catalog.js';
import { OID, formatType, type SqlType } from '../../types/types.js';
import { resolveTypeName } from '../type-names.js';
import { defElems, names, qualifiedFromNames } from './tree.js';
import type { BoundDdl } from './types.js';
import { deparseExpr } from './deparse-expr.js';

export function bindCreateFunction(n: CreateFunctionStmt): BoundDdl {
  const { schema, name } = qualifiedFromNames(names(n.funcname));
  if (n.is_procedure) throw new SqlError(SqlState.featureNotSupported, 'CREATE PROCEDURE is not supported');
  const option = (key: string): Node | undefined => defElems(n.options).find((d) => d.defname === key)?.arg;
  const text = (arg: Node | undefined): string | undefined => (arg && 'String' in arg ? arg.String.sval : undefined);
  const language = text(option('language'))?.toLowerCase() ?? 'sql';
  if (language !== 'sql') {
    throw new SqlError(SqlState.featureNotSupported, `functions in language "${language}" are not supported`, {
      hint: 'Only LANGUAGE sql functions can be created in Quiver.',
    });
  }
  const { params, tableColumns } = parameters(n.parameters ?? []);
  const returns = returnsOf(n.returnType, tableColumns);
  const volatility = ({ immutable: 'i', stable: 's', volatile: 'v' } as const)[(text(option('volatility')) as 'immutable') ?? 'volatile'] ?? 'v';
  const as = option('as');
  let body: SqlFunctionDef['body'];
  if (n.sql_body) body = { ast: n.sql_body };
  else if (as && 'List' in as) body = { sql: names(as.List.items)[0] };
  else throw new SqlError(SqlState.invalidFunctionDefinition, 'no function body specified');
  return { kind: 'createFunction', ...(schema ? { schema } : {}), definition: { name, params, returns, body, volatility }, replace: !!n.replace };
}

function parameters(list: readonly Node[]): { params: SqlFunctionDef['params']; tableColumns: { name: string; type: SqlType }[] } {
  const params: { name?: string; type: SqlType; defaultAst?: unknown; defaultSql?: string }[] = [];
  const tableColumns: { name: string; type: SqlType }[] = [];
  for (const raw of list) {
    if (!('FunctionParameter' in raw)) continue;
    const p = raw.FunctionParameter;
    // like PostgreSQL, a function's parameter and result types carry no typmod (vector(3) is vector)
    const type = withoutTypmod(resolveTypeName(p.argType as never));
    switch (p.mode) {
      case 'FUNC_PARAM_TABLE':
        tableColumns.push({ name: p.name ?? '', type });
        break;
      case 'FUNC_PARAM_DEFAULT':
      case 'FUNC_PARAM_IN':
        if (p.defexpr === undefined && params.some((q) => q.defaultAst !== undefined)) {
          throw new SqlError(SqlState.invalidFunctionDefinition, 'input parameters after one with a default value must also have defaults');
        }
        // the default's text as ruleutils prints it (pg_get_function_arguments, \df, pg_dump)
        params.push({ ...(p.name ? { name: p.name } : {}), type, ...(p.defexpr !== undefined ? { defaultAst: p.defexpr, defaultSql: defaultText(p.defexpr, type) } : {}) });
        break;
      default:
        throw new SqlError(SqlState.featureNotSupported, 'OUT, INOUT and VARIADIC parameters are not supported');
    }
  }
  return { params, tableColumns };
}

function returnsOf(typeName: TypeName | undefined, tableColumns: { name: string; type: SqlType }[]): SqlFunctionDef['returns'] {
  if (tableColumns.length) return { kind: 'table', columns: tableColumns };
  if (!typeName) throw new SqlError(SqlState.invalidFunctionDefinition, 'function result type must be specified');
  const last = names(typeName.names).pop();
  if (last === 'record' || last === 'void' || last === 'trigger') {
    throw new SqlError(SqlState.featureNotSupported, `functions returning ${last} are not supported`, { hint: 'Declare RETURNS TABLE (…) or a scalar type.' });
  }
  const type = withoutTypmod(resolveTypeName(typeName as never));
  return typeName.setof ? { kind: 'setof', type } : { kind: 'scalar', type };
}

function withoutTypmod(t: SqlType): SqlType {
  return t.typmod < 0 ? t : { ...t, typmod: -1 };
}

/**
 * A parameter's DEFAULT as PostgreSQL's pg_get_function_arguments prints the analyzed
 * expression (deparse_expression, not pretty): an operator expression in parentheses, a
 * string literal with the cast to the parameter's type ('x'::text; int4, numeric and bool
 * literals print bare).
 */
function defaultText(node: Node, type: SqlType): string {
  const text = deparseExpr(node);
  if ('A_Expr' in node) return `(${text})`;
  if ('A_Const' in node && node.A_Const.sval !== undefined && ![OID.int4, OID.numeric, OID.bool].includes(type.oid as never)) {
    return `${text}::${formatType(type)}`;
  }
  return text;
}
