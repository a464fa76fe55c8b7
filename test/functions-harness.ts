/** Test helper: evaluates one operator/function case the way the binder + executor would. */
import { SqlError } from '../src/errors.js';
import { OID, formatType, type SqlType, type Value } from '../src/types/types.js';
import { formatText, parseRegtype, parseText } from '../src/types/text-io.js';
import { resolveCast, resolveFunction, resolveOperator, type EvalContext } from '../src/functions/index.js';

export type Arg = [string | null, string];
export type Case = ['op', string, [Arg | null, Arg]] | ['fn', string, Arg[]];

export function testContext(settings: Record<string, string> = {}): EvalContext {
  const all: Record<string, string> = { timezone: 'UTC', extra_float_digits: '1', ...settings };
  const seqs = new Map<string, bigint>();
  return {
    setting: (n) => all[n],
    statementTimestamp: Date.UTC(2024, 0, 2, 3, 4, 5) * 1000,
    transactionTimestamp: Date.UTC(2024, 0, 2, 3, 4, 5) * 1000,
    user: 'postgres', database: 'bench',
    services: {
      nextval: (s) => { const v = (seqs.get(s) ?? 0n) + 1n; seqs.set(s, v); return v; },
      currval: (s) => seqs.get(s) ?? 0n,
      lastval: () => 0n,
      setval: (s, v) => { seqs.set(s, v); return v; },
      relationOid: (n) => (n === 'items' ? 16400 : undefined),
      relationName: (o) => (o === 16400 ? 'items' : undefined),
      partitionInfo: (o) => (o === 16400 ? { parent: undefined, children: [], partitioned: false } : undefined),
    },
  };
}

export function typeOf(name: string | null): SqlType {
  return { oid: name === null ? OID.unknown : parseRegtype(name), typmod: -1 };
}

/** "ok <type> <text>" or "error <sqlstate> <message>" */
export function evalCase(c: Case, ctx: EvalContext = testContext()): string {
  try {
    const args = (c[2] as (Arg | null)[]).filter((a): a is Arg => a !== null);
    const types = args.map((a) => typeOf(a[0]));
    const values: Value[] = args.map((a, i) => (types[i]!.oid === OID.unknown ? a[1] : parseText(types[i]!, a[1])));
    const f = c[0] === 'op'
      ? resolveOperator(c[1], c[2][0] === null ? null : types[0]!, types[types.length - 1]!)
      : resolveFunction(c[1], types);
    if (f.kind !== 'scalar') throw new Error('aggregate');
    const cast = values.map((v, i) => {
      const fn = resolveCast(types[i]!, f.argTypes[i]!, 'implicit');
      if (!fn) throw new Error(`no implicit cast ${formatType(types[i]!)} -> ${formatType(f.argTypes[i]!)}`);
      return v === null ? null : fn(v, ctx);
    });
    const r = f.strict && cast.some((v) => v === null) ? null : f.impl(cast, ctx);
    const text = r === null ? 'null' : f.returnType.oid === OID.bool ? (r ? 'true' : 'false') : formatText(f.returnType, r, { timezone: 'UTC' });
    return `ok ${formatType(f.returnType)} ${text}`;
  } catch (e) {
    if (e instanceof SqlError) return `error ${e.code} ${e.message}`;
    throw e;
  }
}
