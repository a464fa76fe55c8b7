/**
 * satisfies_hash_partition(parent oid, modulus int4, remainder int4, VARIADIC "any") — the
 * function PostgreSQL puts in a hash partition's constraint (partbounds.c): true when the
 * key values hash, as PostgreSQL hashes them, to `remainder` modulo `modulus` in the hash
 * partitioned table `parent`. (The VARIADIC ARRAY[…] call form is not supported.)
 */
import { SqlError, SqlState } from '../../errors.js';
import type { ScalarFunction } from '../../functions/api.js';
import { OID, T, formatType, sqlType, type SqlType } from '../../types/types.js';
import type { Catalog } from '../catalog.js';
import { keyTypes, partitionHash } from '../partitions.js';

const TEXTUAL = new Set<number>([OID.text, OID.varchar]);
const OIDLIKE = new Set<number>([OID.oid, OID.int4, OID.regclass, OID.regtype, OID.regproc, OID.regprocedure,
  OID.regoper, OID.regoperator, OID.regnamespace, OID.regrole]);

/** IsBinaryCoercible(from, to) for the pairs that matter for key types. */
function binaryCoercible(from: number, to: number): boolean {
  if (from === to) return true;
  if (TEXTUAL.has(from) && (TEXTUAL.has(to) || to === OID.bpchar)) return true;
  if (OIDLIKE.has(from) && OIDLIKE.has(to) && (from === OID.oid || to === OID.oid)) return true;
  return false;
}

function typeName(oid: number): string {
  return oid === OID.unknown ? 'unknown' : formatType(sqlType(oid));
}

export function satisfiesHashPartition(catalog: Catalog, argTypes: readonly SqlType[]): ScalarFunction | undefined {
  if (argTypes.length < 4) return undefined;
  // unknown-type literals are passed as text but rejected like PostgreSQL rejects them
  const keyArgTypes = argTypes.slice(3).map((t) => (t.oid === OID.unknown ? T.text : t));
  const declared = argTypes.slice(3).map((t) => t.oid);
  return {
    kind: 'scalar',
    argTypes: [T.oid, T.int4, T.int4, ...keyArgTypes],
    returnType: T.bool,
    strict: false,
    volatile: false,
    impl: (args) => {
      if (args[0] === null || args[1] === null || args[2] === null) return false;
      const modulus = args[1] as number;
      const remainder = args[2] as number;
      const bad = (msg: string) => new SqlError(SqlState.invalidParameterValue, msg);
      if (modulus <= 0) throw bad('modulus for hash partition must be an integer value greater than zero');
      if (remainder < 0) throw bad('remainder for hash partition must be an integer value greater than or equal to zero');
      if (remainder >= modulus) throw bad('remainder for hash partition must be less than modulus');
      const parentOid = args[0] as number;
      const parent = catalog.tables.get(parentOid);
      if (!parent) throw new SqlError(SqlState.internalError, `could not open relation with OID ${parentOid >>> 0}`);
      if (parent.partition?.strategy !== 'hash') throw bad(`"${parent.name}" is not a hash partitioned table`);
      const types = keyTypes(parent);
      if (types.length !== declared.length) {
        throw bad(`number of partitioning columns (${types.length}) does not match number of partition keys provided (${declared.length})`);
      }
      for (let i = 0; i < types.length; i++) {
        if (!binaryCoercible(declared[i], types[i].oid)) {
          throw bad(`column ${i + 1} of the partition key has type ${typeName(types[i].oid)}, but supplied value is of type ${typeName(declared[i])}`);
        }
      }
      return partitionHash(types, args.slice(3)) % BigInt(modulus) === BigInt(remainder);
    },
  };
}
