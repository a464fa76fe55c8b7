/**
 * The bound INSERT / UPDATE / DELETE: the binder (sql/bind-dml.ts) produces it, EXPLAIN
 * prints it and the executor (executor/dml.ts) runs it.
 */
import type { TableDef } from '../catalog/catalog.js';
import type { Expr, OutputColumn, Plan } from './plan.js';

export interface Returning {
  readonly exprs: readonly Expr[];
  readonly schema: readonly OutputColumn[];
  /** UPDATE … FROM / DELETE … USING: over the joined source row (the target's columns the new row), not the row and its tableoid */
  readonly joined?: boolean;
}

export interface OnConflict {
  readonly action: 'nothing' | 'update';
  /** the unique key (constraint name) that arbitrates; null = any unique key */
  readonly keyName: string | null;
  /** SET expressions over [existing row…, excluded row…] */
  readonly assignments: readonly { column: number; expr: Expr }[];
  readonly where: Expr | null;
  /** row-level security: the existing row's and the updated row's options */
  readonly policyChecks?: { readonly existing: readonly PolicyCheck[]; readonly updated: readonly PolicyCheck[] };
}

/** CHECK constraints, bound over a new row of the table */
export type BoundCheck = { readonly name: string; readonly expr: Expr };

/**
 * a row-level security WITH CHECK option over a new row: not true is 42501; `policy` names a
 * restrictive policy (null: the table's permissive policies together)
 */
export type PolicyCheck = {
  readonly policy: string | null; readonly expr: Expr;
  /** ON CONFLICT DO UPDATE's test of the existing row against USING (its own message) */
  readonly using?: boolean;
  /** MERGE's test of the target row against UPDATE's / DELETE's USING ("target row violates …") */
  readonly target?: boolean;
};

/**
 * One WHEN clause of MERGE, its expressions over the joined row (the source's columns, then
 * the target's with its row id): `condition` (null: always), an UPDATE's SET, an INSERT's new
 * row (every column: the values given, the others' defaults).
 */
export type MergeAction =
  | { readonly command: 'update'; readonly condition: Expr | null; readonly assignments: readonly { column: number; expr: Expr }[] }
  | { readonly command: 'delete' | 'nothing'; readonly condition: Expr | null }
  | { readonly command: 'insert'; readonly condition: Expr | null; readonly row: readonly Expr[] };

/** MERGE's row-level security options (ExecMergeMatched / ExecMergeNotMatched) */
export interface MergePolicyChecks {
  /** the target row an UPDATE changes, against UPDATE's USING */
  readonly updateExisting: readonly PolicyCheck[];
  /** the updated row: UPDATE's WITH CHECK (and SELECT's USING when the statement reads the target) */
  readonly updated: readonly PolicyCheck[];
  /** the target row a DELETE removes, against DELETE's USING */
  readonly deleteExisting: readonly PolicyCheck[];
  /** a new row: INSERT's WITH CHECK */
  readonly inserted: readonly PolicyCheck[];
}

/** a stored generated column's expression, bound over a new row of the table */
export type BoundGenerated = { readonly column: number; readonly expr: Expr };

/**
 * A data-modifying WITH query, its RETURNING rows what references to `id` read. One the
 * statement reads runs before the main statement, one it does not after it (PostgreSQL runs
 * a WITH query when first read and the others at the end).
 */
export interface ModifyingCte {
  readonly id: number;
  readonly name: string;
  readonly stmt: DmlStatement;
  readonly referenced: boolean;
}

/** `with`: the statement's data-modifying WITH queries, in their order */
type WithQueries = { with?: readonly ModifyingCte[] };

export type DmlStatement =
  | { kind: 'insert'; table: TableDef; source: Plan; onConflict: OnConflict | null; returning: Returning | null; checks: readonly BoundCheck[]; generated: readonly BoundGenerated[]; policyChecks?: readonly PolicyCheck[] } & WithQueries
  | { kind: 'update'; table: TableDef; source: Plan; assignments: readonly { column: number; expr: Expr }[]; returning: Returning | null; checks: readonly BoundCheck[]; generated: readonly BoundGenerated[]; policyChecks?: readonly PolicyCheck[] } & WithQueries
  | { kind: 'delete'; table: TableDef; source: Plan; returning: Returning | null } & WithQueries
  /**
   * MERGE: `source` is the data source joined (left, with an INSERT action) to the target; its
   * rows are the source's `sourceWidth` columns, then the target's, its row id and (partitioned)
   * the partition it is in — all null when no target row matched
   */
  | {
    kind: 'merge'; table: TableDef; source: Plan; sourceWidth: number; matched: readonly MergeAction[]; notMatched: readonly MergeAction[];
    returning: null; checks: readonly BoundCheck[]; generated: readonly BoundGenerated[]; policyChecks?: MergePolicyChecks;
  } & WithQueries
  /** a SELECT whose WITH queries write: it runs as they do (one transaction, one snapshot); its rows are the source's */
  | { kind: 'select'; source: Plan; returning: Returning; with: readonly ModifyingCte[] };

/** an INSERT, UPDATE or DELETE proper: a table it writes */
export type TableDml = Exclude<DmlStatement, { kind: 'select' }>;
