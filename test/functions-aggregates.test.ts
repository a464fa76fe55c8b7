/**
 * Aggregates compared with PostgreSQL. Expected result types and values were captured from
 * PostgreSQL 15.18 + pgvector 0.8.6 with
 *   select pg_typeof(AGG(x))::text, AGG(x) from (values ('v'::type), …) v(x)
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { SqlError } from "../src/errors.js";
import { OID, formatType, type SqlType } from "../src/types/types.js";
import { formatText, parseRegtype, parseText } from "../src/types/text-io.js";
import { isAggregateName, resolveFunction } from "../src/functions/index.js";
import { testContext } from "./functions-harness.js";

const CAPTURED: [string, string, (string | null)[], "ok" | "error", string, string][] = [
  ["count","int4",["1","2","4",null],"ok","bigint","3"],
  ["sum","int4",["1","2","4",null],"ok","bigint","7"],
  ["sum","int8",["9223372036854775807","1"],"ok","numeric","9223372036854775808"],
  ["sum","numeric",["1.5","2.25","-0.5"],"ok","numeric","3.25"],
  ["sum","float8",["0.1","0.2","0.3"],"ok","double precision","0.6000000000000001"],
  ["sum","float4",["0.1","0.2"],"ok","real","0.3"],
  ["sum","interval",["1 day","2 hours"],"ok","interval","1 day 02:00:00"],
  ["sum","vector",["[1,2]","[3,5]","[0.1,0.2]"],"ok","vector","[4.1,7.2]"],
  ["sum","int2",["1","2"],"ok","bigint","3"],
  ["avg","int4",["1","2","4",null],"ok","numeric","2.3333333333333333"],
  ["avg","int8",["9223372036854775807","1"],"ok","numeric","4611686018427387904"],
  ["avg","numeric",["1.5","2.25","-0.5"],"ok","numeric","1.08333333333333333333"],
  ["avg","float8",["0.1","0.2","0.3"],"ok","double precision","0.20000000000000004"],
  ["avg","vector",["[1,2]","[3,5]","[0.1,0.2]"],"ok","vector","[1.3666667,2.4]"],
  ["avg","interval",["1 day","2 hours"],"ok","interval","13:00:00"],
  ["min","text",["b","a","C"],"ok","text","C"],
  ["max","text",["b","a","C"],"ok","text","b"],
  ["min","numeric",["1.5","2.25","-0.5"],"ok","numeric","-0.5"],
  ["max","date",["2024-01-02","2023-12-31"],"ok","date","2024-01-02"],
  ["max","interval",["1 day","2 hours"],"ok","interval","1 day"],
  ["bool_and","bool",["t","f","t"],"ok","boolean","f"],
  ["bool_or","bool",["t","f","t"],"ok","boolean","t"],
  ["stddev","int4",["1","2","4",null],"ok","numeric","1.5275252316519467"],
  ["stddev","numeric",["1.5","2.25","-0.5"],"ok","numeric","1.4215601757693317"],
  ["variance","float8",["0.1","0.2","0.3"],"ok","double precision","0.009999999999999992"],
  ["var_pop","int4",["1","2","4",null],"ok","numeric","1.5555555555555556"],
  ["stddev_pop","float8",["0.1","0.2","0.3"],"ok","double precision","0.08164965809277257"],
  ["string_agg","text",["b","a","C"],"ok","text","b,a,C"],
  ["array_agg","int4",["1","2","4",null],"ok","integer[]","{1,2,4,NULL}"],
  ["array_agg","text",["b","a","C"],"ok","text[]","{b,a,C}"],
  ["json_agg","int4",["1","2","4",null],"ok","json","[1, 2, 4, null]"],
  ["jsonb_agg","text",["b","a","C"],"ok","jsonb","[\"b\", \"a\", \"C\"]"],
  ["min","vector",["[1,2]","[3,5]","[0.1,0.2]"],"error","42883","function min(vector) does not exist"],
];

test("aggregates match PostgreSQL result types and values", () => {
  const ctx = testContext();
  const failures: string[] = [];
  for (const [name, t, values, status, a, b] of CAPTURED) {
    const type: SqlType = { oid: parseRegtype(t), typmod: -1 };
    let got: string;
    try {
      const args = name === "string_agg" ? [type, { oid: OID.unknown, typmod: -1 }] : [type];
      const agg = resolveFunction(name, args);
      assert.equal(agg.kind, "aggregate");
      if (agg.kind !== "aggregate") continue;
      let state = agg.init();
      for (const v of values) {
        const row = name === "string_agg" ? [v === null ? null : parseText(type, v), ","] : [v === null ? null : parseText(type, v)];
        if (agg.strict && row.some((x) => x === null)) continue;
        state = agg.step(state, row, ctx);
      }
      const r = agg.final(state, ctx);
      got = `ok ${formatType(agg.returnType)} ${r === null ? "null" : agg.returnType.oid === OID.bool ? (r ? "t" : "f") : formatText(agg.returnType, r)}`;
    } catch (e) {
      if (!(e instanceof SqlError)) throw e;
      got = `error ${e.code} ${e.message}`;
    }
    const want = `${status} ${a} ${b}`;
    if (got !== want) failures.push(`${name}(${t}): got ${got}, want ${want}`);
  }
  assert.deepEqual(failures, []);
});

test("count(*), empty input and isAggregateName", () => {
  const ctx = testContext();
  const star = resolveFunction("count", [], { star: true });
  assert.equal(star.kind, "aggregate");
  if (star.kind === "aggregate") {
    let s = star.init();
    s = star.step(s, [], ctx); s = star.step(s, [], ctx);
    assert.equal(star.final(s, ctx), 2n);
    assert.equal(star.final(star.init(), ctx), 0n);
  }
  const sum = resolveFunction("sum", [{ oid: OID.int4, typmod: -1 }]);
  if (sum.kind === "aggregate") assert.equal(sum.final(sum.init(), ctx), null);
  assert.ok(isAggregateName("sum") && isAggregateName("array_agg") && !isAggregateName("lower"));
  assert.throws(() => resolveFunction("lower", [], { star: true }), (e: unknown) => e instanceof SqlError && e.message === "lower(*) specified, but lower is not an aggregate function");
});
