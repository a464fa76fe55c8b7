/** ALTER TABLE's subcommands from the parser's tree. */
import type { AlterTableCmd, AlterTableStmt } from '@pgsql/types';
import { roleRef } from '../bind-role.js';
import { ddlExpr } from './parsed-expr.js';
import { columnSpec, partitionBound, tableConstraint } from './bind-table.js';
import { defElems, names, qualified, typeRef } from './tree.js';
import { sequenceOptions } from './bind-objects.js';
import type { AlterTable, AlterTableCommand } from './types.js';

export function bindAlterTable(n: AlterTableStmt): AlterTable {
  return {
    kind: 'alterTable',
    objectType: (n.objtype ?? 'OBJECT_TABLE').slice(7).toLowerCase(),
    relation: qualified(n.relation),
    only: !n.relation?.inh, // the parser leaves inh out (false) for ONLY
    missingOk: !!n.missing_ok,
    commands: (n.cmds ?? []).flatMap((c) => ('AlterTableCmd' in c ? [alterCommand(c.AlterTableCmd)] : [])),
  };
}

/** Subcommands that change nothing Quiver keeps. */
const IGNORED = new Set(['AT_SetRelOptions', 'AT_ResetRelOptions', 'AT_SetStatistics', 'AT_SetStorage', 'AT_ReplicaIdentity', 'AT_ClusterOn']);

function alterCommand(cmd: AlterTableCmd): AlterTableCommand {
  const column = cmd.name ?? '';
  const def = cmd.def;
  switch (cmd.subtype) {
    case 'AT_AddColumn':
      if (def && 'ColumnDef' in def) return { kind: 'addColumn', column: columnSpec(def.ColumnDef), ifNotExists: !!cmd.missing_ok };
      break;
    case 'AT_EnableRowSecurity': return { kind: 'rowSecurity', enable: true };
    case 'AT_DisableRowSecurity': return { kind: 'rowSecurity', enable: false };
    case 'AT_ForceRowSecurity': return { kind: 'rowSecurity', force: true };
    case 'AT_NoForceRowSecurity': return { kind: 'rowSecurity', force: false };
    case 'AT_ChangeOwner': return { kind: 'owner', role: roleRef(cmd.newowner) };
    case 'AT_DropColumn': return { kind: 'dropColumn', column, missingOk: !!cmd.missing_ok, ...(cmd.behavior === 'DROP_CASCADE' ? { cascade: true } : {}) };
    case 'AT_ColumnDefault': return { kind: 'setDefault', column, expr: def ? ddlExpr(def) : null };
    case 'AT_SetNotNull': return { kind: 'setNotNull', column };
    case 'AT_DropNotNull': return { kind: 'dropNotNull', column };
    case 'AT_AlterColumnType':
      if (def && 'ColumnDef' in def) {
        const c = def.ColumnDef;
        return { kind: 'alterType', column, type: typeRef(c.typeName), ...(c.raw_default ? { using: ddlExpr(c.raw_default) } : {}) };
      }
      break;
    case 'AT_AddConstraint':
      if (def && 'Constraint' in def) return { kind: 'addConstraint', constraint: tableConstraint(def.Constraint) };
      break;
    case 'AT_DropConstraint': return { kind: 'dropConstraint', name: column, missingOk: !!cmd.missing_ok };
    case 'AT_ValidateConstraint': return { kind: 'validateConstraint', name: column };
    case 'AT_SetIdentity': {
      const items = def && 'List' in def ? def.List.items ?? [] : [];
      const generated = defElems(items).find((d) => d.defname === 'generated')?.arg;
      const options = sequenceOptions(items.filter((o) => !('DefElem' in o && o.DefElem.defname === 'generated')));
      // SET GENERATED's argument: ATTRIBUTE_IDENTITY_ALWAYS 'a' or BY DEFAULT 'd', as a character code
      return { kind: 'setIdentity', column, options, ...(generated && 'Integer' in generated ? { always: generated.Integer.ival === 'a'.charCodeAt(0) } : {}) };
    }
    case 'AT_DropIdentity': return { kind: 'dropIdentity', column, missingOk: !!cmd.missing_ok };
    case 'AT_AttachPartition':
    case 'AT_DetachPartition':
      if (def && 'PartitionCmd' in def) {
        const pc = def.PartitionCmd;
        if (cmd.subtype === 'AT_DetachPartition') return { kind: 'detachPartition', child: qualified(pc.name) };
        return { kind: 'attachPartition', child: qualified(pc.name), bound: partitionBound(pc.bound ?? {}) };
      }
      break;
    case 'AT_AddIdentity':
      if (def && 'Constraint' in def) {
        const k = def.Constraint;
        const seqName = defElems(k.options).find((d) => d.defname === 'sequence_name')?.arg;
        const parts = seqName && 'List' in seqName ? names(seqName.List.items) : [];
        return {
          kind: 'addIdentity', column, always: k.generated_when === 'a', options: sequenceOptions((k.options ?? []).filter((o) => !('DefElem' in o && o.DefElem.defname === 'sequence_name'))),
          ...(parts.length ? { sequenceName: parts.length > 1 ? { schema: parts[parts.length - 2], name: parts[parts.length - 1] } : { name: parts[0] } } : {}),
        };
      }
      break;
    default:
      if (IGNORED.has(cmd.subtype ?? '')) return { kind: 'ignored' };
  }
  return { kind: 'unsupported', subtype: (cmd.subtype ?? '').replace(/^AT_/, '') };
}
