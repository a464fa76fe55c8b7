/**
 * TABLE, VIEW and MATERIALIZED VIEW statements name relations of one kind: the word for each
 * kind and PostgreSQL's 42809 when the relation named is another (DropErrorMsgWrongType, and
 * RangeVarCallbackForAlterRelation's "is not a view" for ALTER / COMMENT).
 */
import { SqlError, SqlState } from '../../errors.js';
import type { TableDef } from '../../catalog/catalog.js';

export type RelationKindWord = 'table' | 'view' | 'matview';

export const RELATION_KINDS: Readonly<Record<RelationKindWord, { readonly what: string; readonly drop: string }>> = {
  table: { what: 'table', drop: 'DROP TABLE' }, view: { what: 'view', drop: 'DROP VIEW' }, matview: { what: 'materialized view', drop: 'DROP MATERIALIZED VIEW' },
};

export function relationKindWord(t: TableDef): RelationKindWord {
  return t.kind === 'v' ? 'view' : t.kind === 'm' ? 'matview' : 'table';
}

/** 42809 unless `t` is of the kind the statement names; `withDropHint`: DROP's hint naming the DROP that removes it */
export function checkRelationKind(expected: RelationKindWord, t: TableDef, name = t.name, withDropHint = false): void {
  const actual = relationKindWord(t);
  if (actual === expected) return;
  const hint = withDropHint ? { hint: `Use ${RELATION_KINDS[actual].drop} to remove a ${RELATION_KINDS[actual].what}.` } : {};
  throw new SqlError(SqlState.wrongObjectType, `"${name}" is not a ${RELATION_KINDS[expected].what}`, hint);
}
