/**
 * The access methods and operator classes Quiver has, at PostgreSQL's OIDs (pgvector's at
 * fixed ones of Quiver's own): pg_am and pg_opclass list them, pg_describe_object names them.
 */
import { OID } from '../../types/types.js';

export const AM: Record<string, number> = { heap: 2, btree: 403, hash: 405, gin: 2742, hnsw: 16390, ivfflat: 16391 };

/**
 * One of pgvector's operator classes, each in its own operator family of the same name and
 * OID (PostgreSQL gives them per-database OIDs): its ordering or search operators by
 * strategy number and its support functions (pg_amop, pg_amproc), as pgvector 0.7's
 * CREATE OPERATOR CLASS statements declare them. `T` in `procs` stands for `type`.
 */
export interface VectorOpclass {
  readonly oid: number;
  readonly name: string;
  readonly am: 'hnsw' | 'ivfflat' | 'btree';
  readonly type: 'vector' | 'halfvec' | 'sparsevec' | 'bit';
  readonly def: boolean;
  /** operator names by strategy 1, 2 …: one distance operator (ORDER BY), or btree's five comparisons */
  readonly operators: readonly string[];
  /** [support function number, function name, argument types] */
  readonly procs: readonly (readonly [number, string, string])[];
}

const l2 = (t: string, ivf: boolean): [number, string, string][] => [[1, `${t}_l2_squared_distance`, 'T,T'], ...(ivf ? [[3, 'l2_distance', 'T,T'] as [number, string, string]] : [])];
const ip = (t: string, ivf: boolean, norm: string): [number, string, string][] => [[1, `${t}_negative_inner_product`, 'T,T'], ...(ivf ? [[3, `${t}_spherical_distance`, 'T,T'], [4, norm, 'T']] as [number, string, string][] : [])];
const cosine = (t: string, ivf: boolean, norm: string): [number, string, string][] => [[1, `${t}_negative_inner_product`, 'T,T'], [2, norm, 'T'],
  ...(ivf ? [[3, `${t}_spherical_distance`, 'T,T'], [4, norm, 'T']] as [number, string, string][] : [])];
/** the halfvec, bit and sparsevec classes' type-support function (pgvector numbers it 5 for ivfflat, 3 for hnsw) */
const support = (am: 'hnsw' | 'ivfflat', t: string): [number, string, string] => [am === 'ivfflat' ? 5 : 3, `${am}_${t}_support`, 'internal'];
const COMPARISONS = ['<', '<=', '=', '>=', '>'];

/** pgvector's operator classes: the vector ones at the OIDs Quiver always gave them, the others after its functions and operators. */
export const VECTOR_OPCLASSES: readonly VectorOpclass[] = [
  { oid: 16392, name: 'vector_l2_ops', am: 'ivfflat', type: 'vector', def: true, operators: ['<->'], procs: l2('vector', true) },
  { oid: 16393, name: 'vector_ip_ops', am: 'ivfflat', type: 'vector', def: false, operators: ['<#>'], procs: ip('vector', true, 'vector_norm') },
  { oid: 16394, name: 'vector_cosine_ops', am: 'ivfflat', type: 'vector', def: false, operators: ['<=>'], procs: cosine('vector', true, 'vector_norm') },
  { oid: 16395, name: 'vector_l2_ops', am: 'hnsw', type: 'vector', def: false, operators: ['<->'], procs: l2('vector', false) },
  { oid: 16396, name: 'vector_ip_ops', am: 'hnsw', type: 'vector', def: false, operators: ['<#>'], procs: ip('vector', false, 'vector_norm') },
  { oid: 16397, name: 'vector_cosine_ops', am: 'hnsw', type: 'vector', def: false, operators: ['<=>'], procs: cosine('vector', false, 'vector_norm') },
  { oid: 16398, name: 'vector_l1_ops', am: 'hnsw', type: 'vector', def: false, operators: ['<+>'], procs: [[1, 'l1_distance', 'T,T']] },
  { oid: 15700, name: 'halfvec_l2_ops', am: 'ivfflat', type: 'halfvec', def: false, operators: ['<->'], procs: [...l2('halfvec', true), support('ivfflat', 'halfvec')] },
  { oid: 15701, name: 'halfvec_ip_ops', am: 'ivfflat', type: 'halfvec', def: false, operators: ['<#>'], procs: [...ip('halfvec', true, 'l2_norm'), support('ivfflat', 'halfvec')] },
  { oid: 15702, name: 'halfvec_cosine_ops', am: 'ivfflat', type: 'halfvec', def: false, operators: ['<=>'], procs: [...cosine('halfvec', true, 'l2_norm'), support('ivfflat', 'halfvec')] },
  { oid: 15703, name: 'halfvec_l2_ops', am: 'hnsw', type: 'halfvec', def: false, operators: ['<->'], procs: [...l2('halfvec', false), support('hnsw', 'halfvec')] },
  { oid: 15704, name: 'halfvec_ip_ops', am: 'hnsw', type: 'halfvec', def: false, operators: ['<#>'], procs: [...ip('halfvec', false, 'l2_norm'), support('hnsw', 'halfvec')] },
  { oid: 15705, name: 'halfvec_cosine_ops', am: 'hnsw', type: 'halfvec', def: false, operators: ['<=>'], procs: [...cosine('halfvec', false, 'l2_norm'), support('hnsw', 'halfvec')] },
  { oid: 15706, name: 'halfvec_l1_ops', am: 'hnsw', type: 'halfvec', def: false, operators: ['<+>'], procs: [[1, 'l1_distance', 'T,T'], support('hnsw', 'halfvec')] },
  { oid: 15707, name: 'bit_hamming_ops', am: 'ivfflat', type: 'bit', def: false, operators: ['<~>'], procs: [[1, 'hamming_distance', 'T,T'], [3, 'hamming_distance', 'T,T'], support('ivfflat', 'bit')] },
  { oid: 15708, name: 'bit_hamming_ops', am: 'hnsw', type: 'bit', def: false, operators: ['<~>'], procs: [[1, 'hamming_distance', 'T,T'], support('hnsw', 'bit')] },
  { oid: 15709, name: 'bit_jaccard_ops', am: 'hnsw', type: 'bit', def: false, operators: ['<%>'], procs: [[1, 'jaccard_distance', 'T,T'], support('hnsw', 'bit')] },
  { oid: 15710, name: 'sparsevec_l2_ops', am: 'hnsw', type: 'sparsevec', def: false, operators: ['<->'], procs: [...l2('sparsevec', false), support('hnsw', 'sparsevec')] },
  { oid: 15711, name: 'sparsevec_ip_ops', am: 'hnsw', type: 'sparsevec', def: false, operators: ['<#>'], procs: [...ip('sparsevec', false, 'l2_norm'), support('hnsw', 'sparsevec')] },
  { oid: 15712, name: 'sparsevec_cosine_ops', am: 'hnsw', type: 'sparsevec', def: false, operators: ['<=>'], procs: [...cosine('sparsevec', false, 'l2_norm'), support('hnsw', 'sparsevec')] },
  { oid: 15713, name: 'sparsevec_l1_ops', am: 'hnsw', type: 'sparsevec', def: false, operators: ['<+>'], procs: [[1, 'l1_distance', 'T,T'], support('hnsw', 'sparsevec')] },
  { oid: 15714, name: 'vector_ops', am: 'btree', type: 'vector', def: true, operators: COMPARISONS, procs: [[1, 'vector_cmp', 'T,T']] },
  { oid: 15715, name: 'halfvec_ops', am: 'btree', type: 'halfvec', def: true, operators: COMPARISONS, procs: [[1, 'halfvec_cmp', 'T,T']] },
  { oid: 15716, name: 'sparsevec_ops', am: 'btree', type: 'sparsevec', def: true, operators: COMPARISONS, procs: [[1, 'sparsevec_cmp', 'T,T']] },
];

/** The operator families of the core operator classes Quiver lists in pg_opclass (PostgreSQL 15's OIDs and names). */
export const CORE_OPFAMILIES: readonly (readonly [number, string, string])[] = [
  [424, 'bool_ops', 'btree'], [426, 'bpchar_ops', 'btree'], [428, 'bytea_ops', 'btree'], [434, 'datetime_ops', 'btree'],
  [1970, 'float_ops', 'btree'], [1976, 'integer_ops', 'btree'], [1982, 'interval_ops', 'btree'], [1988, 'numeric_ops', 'btree'],
  [1989, 'oid_ops', 'btree'], [1994, 'text_ops', 'btree'], [1996, 'time_ops', 'btree'], [2968, 'uuid_ops', 'btree'],
  [3659, 'tsvector_ops', 'gin'], [4033, 'jsonb_ops', 'btree'], [1974, 'network_ops', 'btree'], [1984, 'macaddr_ops', 'btree'],
  [3371, 'macaddr8_ops', 'btree'], [3253, 'pg_lsn_ops', 'btree'],
];

/** btree default operator classes of PostgreSQL 15: type OID → [opclass OID, name, family OID] */
export const BTREE_OPCLASSES: Record<number, [number, string, number]> = {
  [OID.int4]: [1978, 'int4_ops', 1976], [OID.int2]: [1979, 'int2_ops', 1976], [OID.oid]: [1981, 'oid_ops', 1989],
  [OID.date]: [3122, 'date_ops', 434], [OID.float8]: [3123, 'float8_ops', 1970], [OID.int8]: [3124, 'int8_ops', 1976],
  [OID.numeric]: [3125, 'numeric_ops', 1988], [OID.text]: [3126, 'text_ops', 1994], [OID.timestamptz]: [3127, 'timestamptz_ops', 434],
  [OID.timestamp]: [3128, 'timestamp_ops', 434], [OID.bool]: [10003, 'bool_ops', 424], [OID.bpchar]: [10004, 'bpchar_ops', 426],
  [OID.bytea]: [10006, 'bytea_ops', 428], [OID.float4]: [10012, 'float4_ops', 1970], [OID.interval]: [10022, 'interval_ops', 1982],
  [OID.name]: [10028, 'name_ops', 1994], [OID.time]: [10038, 'time_ops', 1996], [OID.uuid]: [10065, 'uuid_ops', 2968],
  [OID.jsonb]: [10088, 'jsonb_ops', 4033], [OID.varchar]: [3126, 'text_ops', 1994],
  [OID.inet]: [10015, 'inet_ops', 1974], [OID.cidr]: [10015, 'inet_ops', 1974], [OID.macaddr]: [10024, 'macaddr_ops', 1984],
  [OID.macaddr8]: [10026, 'macaddr8_ops', 3371], [OID.pg_lsn]: [10067, 'pg_lsn_ops', 3253],
};
