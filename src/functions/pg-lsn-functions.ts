/**
 * The functions and operators of pg_lsn (pg_lsn.c), declared like their pg_proc /
 * pg_operator rows; scalar.ts and operators.ts register them. The WAL position functions
 * (pg_current_wal_lsn() …) need the server's log and live in engine/system-functions.ts.
 */
import type { Value } from '../types/types.js';
import { lsnFromNumeric, lsnMinus, lsnPlusNumeric, walFileName } from '../types/pg-lsn.js';
import type { Impl } from './registry.js';

export interface LsnFunction {
  readonly name: string;
  readonly args: readonly string[];
  readonly ret: string;
  readonly impl: Impl;
}

export interface LsnOperator {
  readonly sym: string;
  readonly left: string;
  readonly right: string;
  readonly ret: string;
  readonly impl: Impl;
}

const L = (v: Value): bigint => v as bigint;
const cmp = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

const COMPARISONS: readonly (readonly [sym: string, name: string, test: (c: number) => boolean])[] = [
  ['=', 'eq', (c) => c === 0], ['<>', 'ne', (c) => c !== 0], ['<', 'lt', (c) => c < 0],
  ['<=', 'le', (c) => c <= 0], ['>', 'gt', (c) => c > 0], ['>=', 'ge', (c) => c >= 0],
];

const minus: Impl = ([a, b]) => lsnMinus(L(a!), L(b!));
const plus: Impl = ([a, n]) => lsnPlusNumeric(L(a!), n as string, 1);
const plusLeft: Impl = ([n, a]) => lsnPlusNumeric(L(a!), n as string, 1);
const minusBytes: Impl = ([a, n]) => lsnPlusNumeric(L(a!), n as string, -1);

export const LSN_FUNCTIONS: readonly LsnFunction[] = [
  { name: 'pg_lsn_cmp', args: ['pg_lsn', 'pg_lsn'], ret: 'int4', impl: ([a, b]) => cmp(L(a!), L(b!)) },
  ...COMPARISONS.map(([, name, test]): LsnFunction => ({ name: `pg_lsn_${name}`, args: ['pg_lsn', 'pg_lsn'], ret: 'bool', impl: ([a, b]) => test(cmp(L(a!), L(b!))) })),
  { name: 'pg_lsn_larger', args: ['pg_lsn', 'pg_lsn'], ret: 'pg_lsn', impl: ([a, b]) => (L(a!) >= L(b!) ? a! : b!) },
  { name: 'pg_lsn_smaller', args: ['pg_lsn', 'pg_lsn'], ret: 'pg_lsn', impl: ([a, b]) => (L(a!) <= L(b!) ? a! : b!) },
  { name: 'pg_lsn_mi', args: ['pg_lsn', 'pg_lsn'], ret: 'numeric', impl: minus },
  { name: 'pg_wal_lsn_diff', args: ['pg_lsn', 'pg_lsn'], ret: 'numeric', impl: minus },
  { name: 'pg_lsn_pli', args: ['pg_lsn', 'numeric'], ret: 'pg_lsn', impl: plus },
  { name: 'numeric_pl_pg_lsn', args: ['numeric', 'pg_lsn'], ret: 'pg_lsn', impl: plusLeft },
  { name: 'pg_lsn_mii', args: ['pg_lsn', 'numeric'], ret: 'pg_lsn', impl: minusBytes },
  { name: 'pg_lsn', args: ['numeric'], ret: 'pg_lsn', impl: ([n]) => lsnFromNumeric(n as string) },
  { name: 'pg_walfile_name', args: ['pg_lsn'], ret: 'text', impl: ([a]) => walFileName(L(a!)) },
];

export const LSN_OPERATORS: readonly LsnOperator[] = [
  ...COMPARISONS.map(([sym, , test]): LsnOperator => ({ sym, left: 'pg_lsn', right: 'pg_lsn', ret: 'bool', impl: ([a, b]) => test(cmp(L(a!), L(b!))) })),
  { sym: '-', left: 'pg_lsn', right: 'pg_lsn', ret: 'numeric', impl: minus },
  { sym: '+', left: 'pg_lsn', right: 'numeric', ret: 'pg_lsn', impl: plus },
  { sym: '+', left: 'numeric', right: 'pg_lsn', ret: 'pg_lsn', impl: plusLeft },
  { sym: '-', left: 'pg_lsn', right: 'numeric', ret: 'pg_lsn', impl: minusBytes },
];
