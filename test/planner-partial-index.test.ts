/** Partial index predicates: which WHEREs become conditions, and which query WHEREs imply them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Expr } from '../src/planner/plan.js';
import { impliesPredicate, predicateConditions } from '../src/planner/partial-index.js';
import { OID } from '../src/types/types.js';

const int4: { oid: number; typmod: number } = { oid: OID.int4, typmod: -1 };
const text = { oid: OID.text, typmod: -1 };
const col = (index: number, type = int4) => ({ kind: 'column', level: 0, index, name: `c${index}`, type }) as unknown as Expr;
const lit = (value: unknown, type = int4) => ({ kind: 'const', value, type }) as unknown as Expr;
const cmp = (name: string, a: Expr, b: Expr) => ({ kind: 'call', name, args: [a, b], type: { oid: OID.bool, typmod: -1 } }) as unknown as Expr;
const and = (...args: Expr[]) => ({ kind: 'and', args, type: { oid: OID.bool, typmod: -1 } }) as unknown as Expr;

test('a WHERE of column-op-constant conjuncts becomes conditions (constant first flips the operator)', () => {
  assert.deepEqual(predicateConditions(cmp('=', col(1), lit(7))), [{ column: 1, op: '=', value: 7 }]);
  assert.deepEqual(predicateConditions(and(cmp('<', lit(5), col(2)), cmp('<=', col(1), lit(9)))), [{ column: 2, op: '>', value: 5 }, { column: 1, op: '<=', value: 9 }]);
  // anything else: no predicate (the index covers every row)
  assert.equal(predicateConditions(cmp('=', col(3, text), lit('a', text))), undefined);
  assert.equal(predicateConditions(and(cmp('=', col(1), lit(7)), cmp('=', col(3, text), lit('a', text)))), undefined);
  assert.equal(predicateConditions(cmp('<>', col(1), lit(7))), undefined);
});

test('a query WHERE implies the predicate when each condition follows from one of its conjuncts', () => {
  const eq7 = [{ column: 1, op: '=', value: 7 }] as const;
  const lt10 = [{ column: 1, op: '<', value: 10 }] as const;
  const gt50 = [{ column: 2, op: '>', value: 50 }] as const;
  assert.equal(impliesPredicate(cmp('=', col(1), lit(7)), eq7), true);
  assert.equal(impliesPredicate(cmp('=', lit(7), col(1)), eq7), true);
  assert.equal(impliesPredicate(and(cmp('>', col(2), lit(3)), cmp('=', col(1), lit(7))), eq7), true);
  assert.equal(impliesPredicate(cmp('=', col(1), lit(8)), eq7), false);
  assert.equal(impliesPredicate(cmp('<', col(1), lit(8)), eq7), false);
  assert.equal(impliesPredicate(cmp('=', col(2), lit(7)), eq7), false);
  assert.equal(impliesPredicate(undefined, eq7), false);
  // ranges
  assert.equal(impliesPredicate(cmp('=', col(1), lit(7)), lt10), true);
  assert.equal(impliesPredicate(cmp('<', col(1), lit(10)), lt10), true);
  assert.equal(impliesPredicate(cmp('<=', col(1), lit(9)), lt10), true);
  assert.equal(impliesPredicate(cmp('<=', col(1), lit(10)), lt10), false);
  assert.equal(impliesPredicate(cmp('<', col(1), lit(11)), lt10), false);
  assert.equal(impliesPredicate(cmp('>', col(2), lit(100)), gt50), true);
  assert.equal(impliesPredicate(cmp('>=', col(2), lit(51)), gt50), true);
  assert.equal(impliesPredicate(cmp('>=', col(2), lit(50)), gt50), false);
  assert.equal(impliesPredicate(cmp('>', col(2), lit(50)), [{ column: 2, op: '>=', value: 50 }]), true);
  // every condition needs its own support
  assert.equal(impliesPredicate(cmp('=', col(1), lit(7)), [...eq7, ...gt50]), false);
  assert.equal(impliesPredicate(and(cmp('=', col(1), lit(7)), cmp('>', col(2), lit(60))), [...eq7, ...gt50]), true);
});
