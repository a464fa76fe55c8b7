/**
 * pg_describe_object(classid, objid, objsubid): objectaddress.c getObjectDescription's
 * words for the objects Quiver has (psql's \dx+ lists an extension's members with it).
 * Names are qualified when their schema is not pg_catalog or public (on the search path).
 */
import { formatType, sqlType } from '../../types/types.js';
import { quoteIdent } from '../../types/identifiers.js';
import type { Catalog, TableDef } from '../catalog.js';
import { CLASS_OID } from '../system/objects.js';
import { AM, BTREE_OPCLASSES, CORE_OPFAMILIES, VECTOR_OPCLASSES } from '../system/access-methods.js';
import { builtinOperatorParts, builtinProcSignatureParts } from '../system/builtin-proc-rows.js';
import { builtinCastTypes, builtinCollationName } from '../system/builtin-catalog-rows.js';

const RELKIND_WORDS: Record<string, string> = { r: 'table', p: 'table', v: 'view', m: 'materialized view', S: 'sequence', i: 'index', I: 'index' };

const qualified = (schema: string, name: string): string =>
  (schema === 'pg_catalog' || schema === 'public' ? quoteIdent(name) : `${quoteIdent(schema)}.${quoteIdent(name)}`);
const typeName = (oid: number): string => formatType(sqlType(oid));
const amName = (oid: number): string | undefined => Object.entries(AM).find(([, o]) => o === oid)?.[0];

export function describeObject(catalog: Catalog, classid: number, objid: number, objsubid: number): string | null {
  switch (classid) {
    case CLASS_OID.pg_class: return relationDescription(catalog, objid, objsubid);
    case CLASS_OID.pg_type: return `type ${typeName(objid)}`;
    case CLASS_OID.pg_proc: {
      const f = catalog.functions.get(objid);
      if (f) return `function ${qualified(f.schema, f.name)}(${f.params.map((p) => formatType(p.type)).join(',')})`;
      const b = builtinProcSignatureParts(objid);
      return b ? `function ${quoteIdent(b.name)}(${b.args.map(typeName).join(',')})` : null;
    }
    case CLASS_OID.pg_operator: {
      const o = builtinOperatorParts(objid);
      return o ? `operator ${o.name}(${o.left === 0 ? 'NONE' : typeName(o.left)},${typeName(o.right)})` : null;
    }
    case CLASS_OID.pg_cast: {
      const c = builtinCastTypes(objid);
      return c ? `cast from ${typeName(c.source)} to ${typeName(c.target)}` : null;
    }
    case CLASS_OID.pg_collation: {
      const name = builtinCollationName(objid);
      return name ? `collation ${quoteIdent(name)}` : null;
    }
    case CLASS_OID.pg_am: {
      const name = amName(objid);
      return name ? `access method ${name}` : null;
    }
    case CLASS_OID.pg_opclass: {
      const v = VECTOR_OPCLASSES.find((c) => c.oid === objid);
      if (v) return `operator class ${v.name} for access method ${v.am}`;
      if (objid === 10073) return 'operator class tsvector_ops for access method gin';
      const b = Object.values(BTREE_OPCLASSES).find(([o]) => o === objid);
      return b ? `operator class ${b[1]} for access method btree` : null;
    }
    case CLASS_OID.pg_opfamily: {
      const v = VECTOR_OPCLASSES.find((c) => c.oid === objid);
      if (v) return `operator family ${v.name} for access method ${v.am}`;
      const core = CORE_OPFAMILIES.find(([o]) => o === objid);
      return core ? `operator family ${core[1]} for access method ${core[2]}` : null;
    }
    case CLASS_OID.pg_namespace: {
      const name = catalog.namespaceName(objid);
      return name !== undefined ? `schema ${quoteIdent(name)}` : null;
    }
    case CLASS_OID.pg_extension: {
      const e = [...catalog.extensions.values()].find((x) => x.oid === objid);
      return e ? `extension ${e.name}` : null;
    }
    case CLASS_OID.pg_constraint: {
      for (const t of catalog.tables.values()) {
        const c = t.constraints.find((x) => x.oid === objid);
        if (c) return `constraint ${quoteIdent(c.name)} on ${relationWords(t)}`;
      }
      return null;
    }
    default:
      return null;
  }
}

function relationWords(t: TableDef): string {
  return `${RELKIND_WORDS[t.kind] ?? 'relation'} ${qualified(t.schema, t.name)}`;
}

function relationDescription(catalog: Catalog, oid: number, column: number): string | null {
  const t = catalog.tables.get(oid);
  if (t) {
    if (column > 0) {
      const c = t.columns[column - 1];
      return c ? `column ${quoteIdent(c.name)} of ${relationWords(t)}` : null;
    }
    return relationWords(t);
  }
  for (const table of catalog.tables.values()) {
    const i = table.indexes.find((x) => x.oid === oid);
    if (i) return `index ${qualified(table.schema, i.name)}`;
  }
  const s = [...catalog.sequences.values()].find((x) => x.oid === oid);
  return s ? `sequence ${qualified(s.schema, s.name)}` : null;
}
