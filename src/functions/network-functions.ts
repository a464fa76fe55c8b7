/**
 * The functions and operators of inet / cidr (network.c) and macaddr / macaddr8 (mac.c,
 * mac8.c), declared like their pg_proc / pg_operator rows; scalar.ts and operators.ts
 * register them. PostgreSQL declares the network operators on inet only: a cidr operand
 * reaches them through the binary-coercible cidr → inet cast. text(inet), cidr(inet), macaddr(macaddr8)
 * and macaddr8(macaddr) are the casts they implement (functions/casts.ts).
 */
import type { Value } from '../types/types.js';
import {
  abbrevCidr, abbrevInet, broadcast, compareInet, family, host, hostmask, inetBitwise, inetMerge, inetMinus, inetNot, inetPlus,
  isSubnet, masklen, netmask, network, overlaps, sameFamily, setMasklenCidr, setMasklenInet,
} from '../types/network.js';
import {
  macaddr8Set7bit, macaddrTrunc, macBitwise, macNot,
} from '../types/macaddr.js';
import { compareText } from '../types/compare.js';
import type { Impl } from './registry.js';

export interface NetworkFunction {
  readonly name: string;
  readonly args: readonly string[];
  readonly ret: string;
  readonly impl: Impl;
}

export interface NetworkOperator {
  readonly sym: string;
  /** null: a prefix operator */
  readonly left: string | null;
  readonly right: string;
  readonly ret: string;
  readonly impl: Impl;
}

const S = (v: Value): string => v as string;
const I8 = (v: Value): bigint => (typeof v === 'bigint' ? v : BigInt(v as number));

type Comparison = readonly [sym: string, name: string, test: (c: number) => boolean];
const COMPARISONS: readonly Comparison[] = [
  ['=', 'eq', (c) => c === 0], ['<>', 'ne', (c) => c !== 0], ['<', 'lt', (c) => c < 0],
  ['<=', 'le', (c) => c <= 0], ['>', 'gt', (c) => c > 0], ['>=', 'ge', (c) => c >= 0],
];

/** a type's six comparisons as operators and as their pg_proc functions (network_eq, macaddr_lt, …), and its _cmp */
function ordering(type: string, prefix: string, cmp: (a: string, b: string) => number): { fns: NetworkFunction[]; ops: NetworkOperator[] } {
  const fns: NetworkFunction[] = [{ name: `${prefix}_cmp`, args: [type, type], ret: 'int4', impl: ([a, b]) => cmp(S(a!), S(b!)) }];
  const ops: NetworkOperator[] = [];
  for (const [sym, name, test] of COMPARISONS) {
    const impl: Impl = ([a, b]) => test(cmp(S(a!), S(b!)));
    fns.push({ name: `${prefix}_${name}`, args: [type, type], ret: 'bool', impl });
    ops.push({ sym, left: type, right: type, ret: 'bool', impl });
  }
  return { fns, ops };
}

const inetOrder = ordering('inet', 'network', compareInet);
// macaddr_cmp answers -1, 0 or 1
const macCompare = (a: string, b: string): number => Math.sign(compareText(a, b));
const macOrder = ordering('macaddr', 'macaddr', macCompare);
const mac8Order = ordering('macaddr8', 'macaddr8', macCompare);

const sub: Impl = ([a, b]) => isSubnet(S(a!), S(b!), false);
const subeq: Impl = ([a, b]) => isSubnet(S(a!), S(b!), true);
const sup: Impl = ([a, b]) => isSubnet(S(b!), S(a!), false);
const supeq: Impl = ([a, b]) => isSubnet(S(b!), S(a!), true);
const overlap: Impl = ([a, b]) => overlaps(S(a!), S(b!));
const and: Impl = ([a, b]) => inetBitwise(S(a!), S(b!), 'AND');
const or: Impl = ([a, b]) => inetBitwise(S(a!), S(b!), 'OR');
const not: Impl = ([a]) => inetNot(S(a!));
const plus: Impl = ([a, n]) => inetPlus(S(a!), I8(n!));
const plusLeft: Impl = ([n, a]) => inetPlus(S(a!), I8(n!));
const minusInt: Impl = ([a, n]) => inetPlus(S(a!), -I8(n!));
const minus: Impl = ([a, b]) => inetMinus(S(a!), S(b!));
const smaller: Impl = ([a, b]) => (compareInet(S(a!), S(b!)) < 0 ? a! : b!);
const larger: Impl = ([a, b]) => (compareInet(S(a!), S(b!)) > 0 ? a! : b!);

const macFunctions = (type: 'macaddr' | 'macaddr8'): NetworkFunction[] => [
  { name: `${type}_not`, args: [type], ret: type, impl: ([a]) => macNot(S(a!)) },
  { name: `${type}_and`, args: [type, type], ret: type, impl: ([a, b]) => macBitwise(S(a!), S(b!), 'and') },
  { name: `${type}_or`, args: [type, type], ret: type, impl: ([a, b]) => macBitwise(S(a!), S(b!), 'or') },
  { name: 'trunc', args: [type], ret: type, impl: ([a]) => macaddrTrunc(S(a!)) },
];

const macOperators = (type: 'macaddr' | 'macaddr8'): NetworkOperator[] => [
  { sym: '~', left: null, right: type, ret: type, impl: ([a]) => macNot(S(a!)) },
  { sym: '&', left: type, right: type, ret: type, impl: ([a, b]) => macBitwise(S(a!), S(b!), 'and') },
  { sym: '|', left: type, right: type, ret: type, impl: ([a, b]) => macBitwise(S(a!), S(b!), 'or') },
];

export const NETWORK_FUNCTIONS: readonly NetworkFunction[] = [
  ...inetOrder.fns, ...macOrder.fns, ...mac8Order.fns,
  { name: 'network_sub', args: ['inet', 'inet'], ret: 'bool', impl: sub },
  { name: 'network_subeq', args: ['inet', 'inet'], ret: 'bool', impl: subeq },
  { name: 'network_sup', args: ['inet', 'inet'], ret: 'bool', impl: sup },
  { name: 'network_supeq', args: ['inet', 'inet'], ret: 'bool', impl: supeq },
  { name: 'network_overlap', args: ['inet', 'inet'], ret: 'bool', impl: overlap },
  { name: 'network_smaller', args: ['inet', 'inet'], ret: 'inet', impl: smaller },
  { name: 'network_larger', args: ['inet', 'inet'], ret: 'inet', impl: larger },
  { name: 'inetand', args: ['inet', 'inet'], ret: 'inet', impl: and },
  { name: 'inetor', args: ['inet', 'inet'], ret: 'inet', impl: or },
  { name: 'inetnot', args: ['inet'], ret: 'inet', impl: not },
  { name: 'inetpl', args: ['inet', 'int8'], ret: 'inet', impl: plus },
  { name: 'int8pl_inet', args: ['int8', 'inet'], ret: 'inet', impl: plusLeft },
  { name: 'inetmi_int8', args: ['inet', 'int8'], ret: 'inet', impl: minusInt },
  { name: 'inetmi', args: ['inet', 'inet'], ret: 'int8', impl: minus },
  { name: 'abbrev', args: ['inet'], ret: 'text', impl: ([a]) => abbrevInet(S(a!)) },
  { name: 'abbrev', args: ['cidr'], ret: 'text', impl: ([a]) => abbrevCidr(S(a!)) },
  { name: 'broadcast', args: ['inet'], ret: 'inet', impl: ([a]) => broadcast(S(a!)) },
  { name: 'family', args: ['inet'], ret: 'int4', impl: ([a]) => family(S(a!)) },
  { name: 'host', args: ['inet'], ret: 'text', impl: ([a]) => host(S(a!)) },
  { name: 'hostmask', args: ['inet'], ret: 'inet', impl: ([a]) => hostmask(S(a!)) },
  { name: 'inet_merge', args: ['inet', 'inet'], ret: 'cidr', impl: ([a, b]) => inetMerge(S(a!), S(b!)) },
  { name: 'inet_same_family', args: ['inet', 'inet'], ret: 'bool', impl: ([a, b]) => sameFamily(S(a!), S(b!)) },
  { name: 'masklen', args: ['inet'], ret: 'int4', impl: ([a]) => masklen(S(a!)) },
  { name: 'netmask', args: ['inet'], ret: 'inet', impl: ([a]) => netmask(S(a!)) },
  { name: 'network', args: ['inet'], ret: 'cidr', impl: ([a]) => network(S(a!)) },
  { name: 'set_masklen', args: ['inet', 'int4'], ret: 'inet', impl: ([a, n]) => setMasklenInet(S(a!), n as number) },
  { name: 'set_masklen', args: ['cidr', 'int4'], ret: 'cidr', impl: ([a, n]) => setMasklenCidr(S(a!), n as number) },
  ...macFunctions('macaddr'), ...macFunctions('macaddr8'),
  { name: 'macaddr8_set7bit', args: ['macaddr8'], ret: 'macaddr8', impl: ([a]) => macaddr8Set7bit(S(a!)) },
];

export const NETWORK_OPERATORS: readonly NetworkOperator[] = [
  ...inetOrder.ops, ...macOrder.ops, ...mac8Order.ops,
  { sym: '<<', left: 'inet', right: 'inet', ret: 'bool', impl: sub },
  { sym: '<<=', left: 'inet', right: 'inet', ret: 'bool', impl: subeq },
  { sym: '>>', left: 'inet', right: 'inet', ret: 'bool', impl: sup },
  { sym: '>>=', left: 'inet', right: 'inet', ret: 'bool', impl: supeq },
  { sym: '&&', left: 'inet', right: 'inet', ret: 'bool', impl: overlap },
  { sym: '~', left: null, right: 'inet', ret: 'inet', impl: not },
  { sym: '&', left: 'inet', right: 'inet', ret: 'inet', impl: and },
  { sym: '|', left: 'inet', right: 'inet', ret: 'inet', impl: or },
  { sym: '+', left: 'inet', right: 'int8', ret: 'inet', impl: plus },
  { sym: '+', left: 'int8', right: 'inet', ret: 'inet', impl: plusLeft },
  { sym: '-', left: 'inet', right: 'int8', ret: 'inet', impl: minusInt },
  { sym: '-', left: 'inet', right: 'inet', ret: 'int8', impl: minus },
  ...macOperators('macaddr'), ...macOperators('macaddr8'),
];
