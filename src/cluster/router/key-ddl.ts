/**
 * ALTER TABLE that would change how a table's rows are placed on the shards: a primary key
 * added to a table without one (its rows went round robin) or a key column's type changed
 * (a key hashes by its type's binary form, shard-hash.ts); or that would fill existing rows
 * from a sequence (ADD COLUMN of a serial / identity column: each shard would number its rows
 * from its own copy, sequence-draw.ts). Rows do not move between shards, so such a change is
 * only sound on an empty table: the router checks that first (session.ts) and refuses
 * otherwise with 0A000, where keeping the rows where they are would make key lookups miss them
 * and a duplicate key go unnoticed.
 */
import type { RouterTable } from './shard-catalog.js';
import { callsSequenceFunction } from './sequence-draw.js';

type N = Record<string, any>;

export interface RekeyingDdl {
  /** the table's name as SQL (schema-qualified when the statement said so) */
  readonly table: string;
  /** what the statement does, for the error */
  readonly what: string;
  /** why only an empty table may undergo it (default: rows do not move between shards) */
  readonly why?: string;
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** The re-keying an AlterTableStmt does, or undefined. */
export function rekeyingDdl(node: N, table: RouterTable | undefined): RekeyingDdl | undefined {
  if (!table) return undefined;
  const rv = node.relation as N;
  const name = rv.schemaname ? `${quote(rv.schemaname)}.${quote(rv.relname)}` : quote(rv.relname);
  for (const item of (node.cmds ?? []) as N[]) {
    const cmd = item.AlterTableCmd as N | undefined;
    if (!cmd) continue;
    const text = JSON.stringify(cmd.def ?? {});
    const addsKey = text.includes('"CONSTR_PRIMARY"') || text.includes('"primary":true');
    if (addsKey && table.keyColumns.length === 0) return { table: name, what: 'ALTER TABLE … ADD PRIMARY KEY on a table that has rows' };
    // a new column drawn from a sequence is filled on each shard from that shard's copy of it
    if (cmd.subtype === 'AT_AddColumn' && fillsFromSequence(cmd.def?.ColumnDef)) {
      return { table: name, what: `ALTER TABLE … ADD COLUMN "${cmd.def.ColumnDef.colname}" drawn from a sequence on a table that has rows`, why: 'each shard would number its rows from its own copy of the sequence' };
    }
    if (cmd.subtype === 'AT_AlterColumnType' && table.keyColumns.includes(cmd.name)) {
      return { table: name, what: `ALTER TABLE … ALTER COLUMN … TYPE of the key column "${cmd.name}" of a table that has rows` };
    }
  }
  return undefined;
}

/** A serial column, an identity column, or one whose DEFAULT calls nextval. */
function fillsFromSequence(col: N | undefined): boolean {
  if (!col) return false;
  const names: string[] = (col.typeName?.names ?? []).map((n: N) => n.String?.sval);
  if (/^(small|big)?serial[248]?$/.test(names[names.length - 1] ?? '')) return true;
  return ((col.constraints ?? []) as N[]).some((c) => c.Constraint?.contype === 'CONSTR_IDENTITY'
    || (c.Constraint?.contype === 'CONSTR_DEFAULT' && callsSequenceFunction(c.Constraint.raw_expr)));
}
