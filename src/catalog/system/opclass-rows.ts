/**
 * pg_opclass, pg_opfamily, pg_amop and pg_amproc rows: the core operator classes Quiver
 * indexes with (btree per type, gin tsvector_ops) and pgvector's (access-methods.ts), whose
 * operators and support functions are looked up among the built-in pg_operator / pg_proc
 * rows. psql's \dx+ vector lists the classes and families; DBeaver and pg_dump join them.
 * pgvector's rows exist once CREATE EXTENSION vector ran in the database (as in PostgreSQL:
 * pg_dump would otherwise dump them as the database's own operator classes).
 */
import { NAMESPACE } from '../catalog.js';
import { OID, typeByName, type Row } from '../../types/types.js';
import { AM, BTREE_OPCLASSES, CORE_OPFAMILIES, VECTOR_OPCLASSES } from './access-methods.js';
import { ROLE } from './objects.js';
import { BUILTIN_OPERATORS } from './builtin-operators.js';
import { builtinProcOid } from './builtin-proc-rows.js';

/** btree's float_ops: the family distance operators' results sort in (amopsortfamily) */
const FLOAT_OPS = 1970;
/** pg_amop / pg_amproc OIDs of pgvector's rows (each catalog numbers its own rows) */
const FIRST_AMOP_OID = 15720;
const FIRST_AMPROC_OID = 15760;
/** gin's tsvector_ops operator class (its family is 3659) */
export const TSVECTOR_GIN_OPCLASS = 10073;

const typeOid = (name: string): number => typeByName(name)?.oid ?? 0;

function operatorOid(name: string, type: string): number {
  const o = BUILTIN_OPERATORS.find((x) => x[1] === name && x[2] === 'public' && x[6] === type && x[7] === type);
  if (!o) throw new Error(`bug: pgvector has no operator ${name}(${type}, ${type})`);
  return o[0];
}

function procOid(name: string, args: string[]): number {
  const oid = builtinProcOid(name, 'public', args);
  if (typeof oid !== 'number') throw new Error(`bug: pgvector has no function ${name}(${args.join(', ')})`);
  return oid;
}

/** pg_opclass: the btree classes (varchar uses text_ops, cidr inet_ops), gin's tsvector_ops, pgvector's */
export function opclassRows(withVector: boolean): Row[] {
  const rows: Row[] = [];
  for (const [ty, [o, n, fam]] of Object.entries(BTREE_OPCLASSES)) {
    // varchar and cidr use text's and inet's classes
    if (Number(ty) === OID.varchar || Number(ty) === OID.cidr) continue;
    rows.push([o, AM.btree, n, NAMESPACE.pg_catalog, ROLE.bootstrap, fam, Number(ty), true, Number(ty) === OID.name ? OID.cstring : 0]);
  }
  rows.push([TSVECTOR_GIN_OPCLASS, AM.gin, 'tsvector_ops', NAMESPACE.pg_catalog, ROLE.bootstrap, 3659, OID.tsvector, true, OID.text]);
  if (withVector) for (const v of VECTOR_OPCLASSES) rows.push([v.oid, AM[v.am], v.name, NAMESPACE.public, ROLE.bootstrap, v.oid, typeOid(v.type), v.def, 0]);
  return rows;
}

/** pg_opfamily: the families of the classes pg_opclass lists */
export function opfamilyRows(withVector: boolean): Row[] {
  return [
    ...CORE_OPFAMILIES.map(([oid, name, am]) => [oid, AM[am], name, NAMESPACE.pg_catalog, ROLE.bootstrap]),
    ...(withVector ? VECTOR_OPCLASSES : []).map((v) => [v.oid, AM[v.am], v.name, NAMESPACE.public, ROLE.bootstrap]),
  ];
}

/** pg_amop of pgvector's families: a distance operator for ORDER BY (sorted as float8), or btree's comparisons for search */
export function amopRows(withVector: boolean): Row[] {
  const rows: Row[] = [];
  for (const v of withVector ? VECTOR_OPCLASSES : []) {
    const t = typeOid(v.type);
    const ordering = v.am !== 'btree';
    v.operators.forEach((op, i) => rows.push([FIRST_AMOP_OID + rows.length, v.oid, t, t, i + 1, ordering ? 'o' : 's', operatorOid(op, v.type), AM[v.am],
      ordering ? FLOAT_OPS : 0]));
  }
  return rows;
}

/** pg_amproc of pgvector's families */
export function amprocRows(withVector: boolean): Row[] {
  const rows: Row[] = [];
  for (const v of withVector ? VECTOR_OPCLASSES : []) {
    const t = typeOid(v.type);
    for (const [num, name, args] of v.procs) {
      rows.push([FIRST_AMPROC_OID + rows.length, v.oid, t, t, num, procOid(name, args.split(',').map((a) => (a === 'T' ? v.type : a)))]);
    }
  }
  return rows;
}
