/**
 * The access methods and operator classes Quiver has, at PostgreSQL's OIDs (pgvector's at
 * fixed ones of Quiver's own): pg_am and pg_opclass list them, pg_describe_object names them.
 */
import { OID } from '../../types/types.js';

export const AM: Record<string, number> = { heap: 2, btree: 403, hash: 405, gin: 2742, hnsw: 16390, ivfflat: 16391 };

/** pgvector's operator classes at fixed OIDs (PostgreSQL gives them per-database OIDs). */
export const VECTOR_OPCLASSES: { oid: number; name: string; am: string; def: boolean }[] = [
  { oid: 16392, name: 'vector_l2_ops', am: 'ivfflat', def: true },
  { oid: 16393, name: 'vector_ip_ops', am: 'ivfflat', def: false },
  { oid: 16394, name: 'vector_cosine_ops', am: 'ivfflat', def: false },
  { oid: 16395, name: 'vector_l2_ops', am: 'hnsw', def: false },
  { oid: 16396, name: 'vector_ip_ops', am: 'hnsw', def: false },
  { oid: 16397, name: 'vector_cosine_ops', am: 'hnsw', def: false },
  { oid: 16398, name: 'vector_l1_ops', am: 'hnsw', def: false },
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
};
