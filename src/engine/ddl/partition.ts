/** Partition bounds (FOR VALUES … / DEFAULT) and ALTER TABLE … ATTACH / DETACH PARTITION. */
import { SqlError, SqlState } from '../../errors.js';
import type { TableDef } from '../../catalog/catalog.js';
import { boundAccepts, boundsOverlap, childPartitions, keyTypes, type BoundDatum, type PartitionBound } from '../../catalog/partitions.js';
import { parseText } from '../../types/text-io.js';
import type { SqlType, Value } from '../../types/types.js';
import type { BoundDatumSpec, PartitionBoundSpec, QualifiedName } from '../../sql/ddl/index.js';
import { mustFindTable, type DdlContext } from './context.js';

function boundValue(d: BoundDatumSpec, type: SqlType): Value {
  if (d.kind === 'columnRef') throw new SqlError(SqlState.invalidTableDefinition, 'cannot use column reference in partition bound expression', { position: d.position });
  if (d.kind !== 'value') throw new SqlError(SqlState.featureNotSupported, 'partition bounds must be constants');
  return d.text === null ? null : parseText(type, d.text);
}

function boundDatum(d: BoundDatumSpec, type: SqlType): BoundDatum {
  return d.kind === 'minvalue' || d.kind === 'maxvalue' ? d.kind : { value: boundValue(d, type) };
}

/** The bound in the parent's key types. */
function typedBound(parent: TableDef, b: PartitionBoundSpec): PartitionBound {
  const strategy = parent.partition!.strategy;
  if (b.kind === 'default') return { kind: 'default' };
  if (b.kind !== strategy) {
    throw new SqlError(SqlState.invalidTableDefinition, `invalid bound specification for a ${strategy} partition`, { position: b.position });
  }
  const types = keyTypes(parent);
  if (b.kind === 'list') return { kind: 'list', values: b.values.map((d) => boundValue(d, types[0])) };
  if (b.kind === 'range') {
    const side = (list: readonly BoundDatumSpec[], word: string): BoundDatum[] => {
      if (list.length !== types.length) throw new SqlError(SqlState.invalidTableDefinition, `${word} must specify exactly one value per partitioning column`);
      return list.map((d, i) => boundDatum(d, types[i]));
    };
    return { kind: 'range', from: side(b.from, 'FROM'), to: side(b.to, 'TO') };
  }
  if (b.modulus < 1) throw new SqlError(SqlState.invalidTableDefinition, 'modulus for hash partition must be an integer value greater than zero');
  if (b.remainder >= b.modulus) throw new SqlError(SqlState.invalidTableDefinition, 'remainder for hash partition must be less than modulus');
  return { kind: 'hash', modulus: b.modulus, remainder: b.remainder };
}

/** FOR VALUES … of CREATE TABLE … PARTITION OF / ATTACH PARTITION, checked against the siblings. */
export function partitionBound(ctx: DdlContext, parent: TableDef, spec: PartitionBoundSpec, childName: string): PartitionBound {
  const bound = typedBound(parent, spec);
  const types = keyTypes(parent);
  for (const sibling of childPartitions(ctx.catalog, parent)) {
    if (sibling.name === childName || !boundsOverlap(types, bound, sibling.partitionOf!.bound)) continue;
    if (bound.kind === 'default') {
      throw new SqlError(SqlState.invalidObjectDefinition, `partition "${childName}" conflicts with existing default partition "${sibling.name}"`, { position: spec.position });
    }
    // PostgreSQL points at the offending datum: the overlapping list value, or the range's lower bound
    let position = spec.position;
    if (bound.kind === 'list' && spec.kind === 'list') {
      const i = bound.values.findIndex((v) => boundsOverlap(types, { kind: 'list', values: [v] }, sibling.partitionOf!.bound));
      position = datumPosition(spec.values[i]) ?? position;
    } else if (spec.kind === 'range') {
      position = datumPosition(spec.from[0]) ?? position;
    }
    throw new SqlError(SqlState.invalidObjectDefinition, `partition "${childName}" would overlap partition "${sibling.name}"`, { position });
  }
  return bound;
}

function datumPosition(d: BoundDatumSpec | undefined): number | undefined {
  return d && 'position' in d ? d.position : undefined;
}

/** ALTER TABLE parent DETACH PARTITION child */
export function detachPartition(ctx: DdlContext, parent: TableDef, childName: QualifiedName): void {
  const child = mustFindTable(ctx, childName);
  if (child.partitionOf?.parent !== parent.oid) {
    throw new SqlError(SqlState.undefinedTable, `relation "${child.name}" is not a partition of relation "${parent.name}"`);
  }
  child.partitionOf = undefined;
  ctx.catalog.version++;
}

/** ALTER TABLE parent ATTACH PARTITION child FOR VALUES …: every existing row of the child must fit. */
export function attachPartition(ctx: DdlContext, parent: TableDef, childName: QualifiedName, spec: PartitionBoundSpec): void {
  const child = mustFindTable(ctx, childName);
  if (child.partitionOf) throw new SqlError(SqlState.wrongObjectType, `"${child.name}" is already a partition`);
  const bound = partitionBound(ctx, parent, spec, child.name);
  const types = keyTypes(parent);
  const keyCols = parent.partition!.columns;
  const siblings = childPartitions(ctx.catalog, parent);
  for (const batch of ctx.storage.scan(child.oid, ctx.storage.snapshot())) {
    for (const row of batch.rows) {
      const key = keyCols.map((c) => row[c]);
      const fits = bound.kind === 'default'
        ? !siblings.some((x) => x.partitionOf!.bound.kind !== 'default' && boundAccepts(types, x.partitionOf!.bound, key))
        : boundAccepts(types, bound, key);
      if (!fits) throw new SqlError(SqlState.checkViolation, `partition constraint of relation "${child.name}" is violated by some row`);
    }
  }
  child.partitionOf = { parent: parent.oid, bound };
  ctx.catalog.version++;
}
