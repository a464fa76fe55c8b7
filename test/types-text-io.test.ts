/**
 * Text input/output and casts, compared with PostgreSQL. Every expected value was captured
 * from PostgreSQL 15.18 + pgvector 0.8.6 (TimeZone UTC unless the row sets it) as the raw
 * text the server sent for  select 'input'::type  /  select ('input'::from)::to,
 * or the SQLSTATE, message and detail of its error.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { SqlError } from "../src/errors.js";
import { OID, type SqlType, type Value } from "../src/types/types.js";
import { formatText, parseRegtype } from "../src/types/text-io.js";
import { compareValues, hashKey } from "../src/types/compare.js";
import { resolveCast, commonType } from "../src/functions/index.js";
import { testContext } from "./functions-harness.js";

type Outcome = ["ok", string] | ["error", string, string, string | null];

const IO: [string, string, ...Outcome][] = [
  ["bool","t","ok","t"],
  ["bool"," TRUE ","ok","t"],
  ["bool","yes","ok","t"],
  ["bool","of","ok","f"],
  ["bool","0","ok","f"],
  ["bool","maybe","error","22P02","invalid input syntax for type boolean: \"maybe\"",null],
  ["int2","99999","error","22003","value \"99999\" is out of range for type smallint",null],
  ["int2"," -32768 ","ok","-32768"],
  ["int4","abc","error","22P02","invalid input syntax for type integer: \"abc\"",null],
  ["int4","2147483648","error","22003","value \"2147483648\" is out of range for type integer",null],
  ["int4","+42","ok","42"],
  ["int8","9223372036854775807","ok","9223372036854775807"],
  ["int8","1.5","error","22P02","invalid input syntax for type bigint: \"1.5\"",null],
  ["float4","0.1","ok","0.1"],
  ["float4","1e20","ok","1e+20"],
  ["float4","3.4028235e38","ok","3.4028235e+38"],
  ["float4","1.17549435e-38","ok","1.1754944e-38"],
  ["float4","123456789","ok","1.2345679e+08"],
  ["float4","-0","ok","-0"],
  ["float4","NaN","ok","NaN"],
  ["float4","-inf","ok","-Infinity"],
  ["float4","1e39","error","22003","\"1e39\" is out of range for type real",null],
  ["float8","0.1","ok","0.1"],
  ["float8","1e20","ok","1e+20"],
  ["float8","1e15","ok","1e+15"],
  ["float8","123456789012345678","ok","1.2345678901234568e+17"],
  ["float8","1.5e-7","ok","1.5e-07"],
  ["float8","0.0001","ok","0.0001"],
  ["float8","2.2250738585072014e-308","ok","2.2250738585072014e-308"],
  ["float8","5e-324","ok","5e-324"],
  ["float8","1.7976931348623157e308","ok","1.7976931348623157e+308"],
  ["float8","Infinity","ok","Infinity"],
  ["float8"," 12.50 ","ok","12.5"],
  ["float8","x1","error","22P02","invalid input syntax for type double precision: \"x1\"",null],
  ["numeric","1.50","ok","1.50"],
  ["numeric","-0.00","ok","0.00"],
  ["numeric","1e3","ok","1000"],
  ["numeric","1.5e-3","ok","0.0015"],
  ["numeric","  007.10 ","ok","7.10"],
  ["numeric","NaN","ok","NaN"],
  ["numeric","-Infinity","ok","-Infinity"],
  ["numeric","abc","error","22P02","invalid input syntax for type numeric: \"abc\"",null],
  ["numeric",".5","ok","0.5"],
  ["numeric","12345678901234567890.123456789","ok","12345678901234567890.123456789"],
  ["numeric(5,2)","123.456","ok","123.46"],
  ["numeric(5,2)","1234.5","error","22003","numeric field overflow","A field with precision 5, scale 2 must round to an absolute value less than 10^3."],
  ["numeric(3)","-999.4","ok","-999"],
  ["numeric(4,2)","Infinity","error","22003","numeric field overflow","A field with precision 4, scale 2 cannot hold an infinite value."],
  ["varchar(3)","abcd","ok","abc"],
  ["varchar(3)","ab  ","ok","ab "],
  ["bpchar(3)","a","ok","a  "],
  ["bpchar(3)","abcd","ok","abc"],
  ["varchar(3)","abc   ","ok","abc"],
  ["bytea","\\x4142ff","ok","\\x4142ff"],
  ["bytea","ab\\\\c\\001","ok","\\x61625c6301"],
  ["bytea","\\x4","error","22023","invalid hexadecimal data: odd number of digits",null],
  ["uuid","A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11","ok","a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"],
  ["uuid","{a0eebc999c0b4ef8bb6d6bb9bd380a11}","ok","a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"],
  ["uuid","a0eebc99-9c0b","error","22P02","invalid input syntax for type uuid: \"a0eebc99-9c0b\"",null],
  ["date","2024-01-02","ok","2024-01-02"],
  ["date","20240102","ok","2024-01-02"],
  ["date","0001-01-01 BC","ok","0001-01-01 BC"],
  ["date","2024-02-30","error","22008","date/time field value out of range: \"2024-02-30\"",null],
  ["date","infinity","ok","infinity"],
  ["date","January 8, 1999","ok","1999-01-08"],
  ["time","12:34:56.789","ok","12:34:56.789"],
  ["time","25:00","error","22008","date/time field value out of range: \"25:00\"",null],
  ["time","allballs","ok","00:00:00"],
  ["timestamp","2024-01-02 03:04:05.123456","ok","2024-01-02 03:04:05.123456"],
  ["timestamp","2024-01-02T03:04:05Z","ok","2024-01-02 03:04:05"],
  ["timestamp","2024-01-02","ok","2024-01-02 00:00:00"],
  ["timestamp","-infinity","ok","-infinity"],
  ["timestamp","1999-01-08 04:05:06.1200","ok","1999-01-08 04:05:06.12"],
  ["timestamptz","2024-01-02 03:04:05.123+02","ok","2024-01-02 01:04:05.123+00"],
  ["timestamptz","2024-01-02 03:04:05+05:30","ok","2024-01-01 21:34:05+00"],
  ["timestamptz","1999-01-08 04:05:06 -8:00","ok","1999-01-08 12:05:06+00"],
  ["timestamptz","2024-06-01 12:00 Europe/Paris","ok","2024-06-01 10:00:00+00"],
  ["timestamptz","infinity","ok","infinity"],
  ["interval","1 day 02:00:00","ok","1 day 02:00:00"],
  ["interval","3 hours","ok","03:00:00"],
  ["interval","P1D","ok","1 day"],
  ["interval","P1Y2M3DT4H5M6.5S","ok","1 year 2 mons 3 days 04:05:06.5"],
  ["interval","-1 day +2 hours","ok","-1 days +02:00:00"],
  ["interval","1.5 days","ok","1 day 12:00:00"],
  ["interval","1.5 months","ok","1 mon 15 days"],
  ["interval","100 hours","ok","100:00:00"],
  ["interval","1 week ago","ok","-7 days"],
  ["interval","-00:00:01","ok","-00:00:01"],
  ["interval","2 years 13 mons","ok","3 years 1 mon"],
  ["interval","1 foo","error","22007","invalid input syntax for type interval: \"1 foo\"",null],
  ["interval","00:00:00.000001","ok","00:00:00.000001"],
  ["json","{\"b\":1 , \"a\" : 2}","ok","{\"b\":1 , \"a\" : 2}"],
  ["json","abc","error","22P02","invalid input syntax for type json","Token \"abc\" is invalid."],
  ["jsonb","{\"b\": 1, \"a\": [1, 2.50, 1e2], \"aa\": {\"x\": \"\\u00e9\\n\"}, \"b\": 3}","ok","{\"a\": [1, 2.50, 100], \"b\": 3, \"aa\": {\"x\": \"é\\n\"}}"],
  ["jsonb","[1, -0, 0.0, 1E+2, -1.5e-3]","ok","[1, 0, 0.0, 100, -0.0015]"],
  ["jsonb"," true ","ok","true"],
  ["jsonb","{\"a\":1","error","22P02","invalid input syntax for type json","The input string ended unexpectedly."],
  ["jsonb","\"\\u0000\"","error","22P05","unsupported Unicode escape sequence","\\u0000 cannot be converted to text."],
  ["jsonb","{\"\":0,\"é\":1,\"aa\":2,\"b\":3}","ok","{\"\": 0, \"b\": 3, \"aa\": 2, \"é\": 1}"],
  ["int4[]","{1,2,3}","ok","{1,2,3}"],
  ["text[]","{\"a b\",NULL,\"\",x,\"NULL\"}","ok","{\"a b\",NULL,\"\",x,\"NULL\"}"],
  ["text[]","{a,\"b\\\"c\",\"d\\\\e\"}","ok","{a,\"b\\\"c\",\"d\\\\e\"}"],
  ["int4[]","{{1,2},{3,4}}","ok","{{1,2},{3,4}}"],
  ["int4[]","{}","ok","{}"],
  ["float8[]","{0.1, 1e20}","ok","{0.1,1e+20}"],
  ["int4[]","{1,2","error","22P02","malformed array literal: \"{1,2\"","Unexpected end of input."],
  ["int4[]","1,2","error","22P02","malformed array literal: \"1,2\"","Array value must start with \"{\" or dimension information."],
  ["bool[]","{t,f}","ok","{t,f}"],
  ["text[]","{ a , b }","ok","{a,b}"],
  ["vector","[1, 2 ,3 ]","ok","[1,2,3]"],
  ["vector","[0.1,1e20,-3.5e-7,1.23456789]","ok","[0.1,1e+20,-3.5e-07,1.2345679]"],
  ["vector(2)","[1,2,3]","error","22000","expected 2 dimensions, not 3",null],
  ["oid","-1","ok","4294967295"],
  ["oid","4294967295","ok","4294967295"],
  ["regtype","integer","ok","integer"],
  ["regtype","character varying","ok","character varying"],
  ["regtype","int4[]","ok","integer[]"],
  ["name","abc","ok","abc"],
  ["char","xyz","ok","x"],
];

const CASTS: [string, string, string, ...Outcome][] = [
  ["int4","1","bool","ok","t"],
  ["bool","t","int4","ok","1"],
  ["float8","2.5","int4","ok","2"],
  ["float8","3.5","int4","ok","4"],
  ["float8","-2.5","int8","ok","-2"],
  ["float8","1e10","int4","error","22003","integer out of range",null],
  ["numeric","2.5","int4","ok","3"],
  ["numeric","-2.5","int4","ok","-3"],
  ["numeric","NaN","int4","error","0A000","cannot convert NaN to integer",null],
  ["float8","0.1","numeric","ok","0.1"],
  ["float4","0.1","numeric","ok","0.1"],
  ["float8","1e20","numeric","ok","100000000000000000000"],
  ["float8","123456.789012345678","numeric","ok","123456.789012346"],
  ["numeric","0.1","float4","ok","0.1"],
  ["int8","5000000000","int4","error","22003","integer out of range",null],
  ["int4","70000","int2","error","22003","smallint out of range",null],
  ["text","abcdef","varchar(3)","ok","abc"],
  ["text","abc","bpchar(5)","ok","abc  "],
  ["bpchar(5)","ab","text","ok","ab"],
  ["numeric","123.456","numeric(5,1)","ok","123.5"],
  ["numeric","99999.96","numeric(6,1)","error","22003","numeric field overflow","A field with precision 6, scale 1 must round to an absolute value less than 10^5."],
  ["int4","-1","oid","ok","4294967295"],
  ["oid","4294967295","int4","ok","-1"],
  ["int8","4294967296","oid","error","22003","OID out of range",null],
  ["text","123","int4","ok","123"],
  ["text","12.5","numeric","ok","12.5"],
  ["float8","0.1","text","ok","0.1"],
  ["float4","0.1","float8","ok","0.10000000149011612"],
  ["int4","42","text","ok","42"],
  ["timestamp","2024-01-02 03:04:05","timestamptz","ok","2024-01-02 03:04:05+00"],
  ["timestamptz","2024-01-02 03:04:05+02","timestamp","ok","2024-01-02 01:04:05"],
  ["timestamptz","2024-01-02 23:04:05+00","date","ok","2024-01-02"],
  ["date","2024-01-02","timestamptz","ok","2024-01-02 00:00:00+00"],
  ["timestamp","2024-01-02 03:04:05.123456","timestamp(2)","ok","2024-01-02 03:04:05.12"],
  ["timestamp","2024-01-02 03:04:05.5","date","ok","2024-01-02"],
  ["time","01:02:03","interval","ok","01:02:03"],
  ["json","{\"b\":1,\"a\":2}","jsonb","ok","{\"a\": 2, \"b\": 1}"],
  ["jsonb","{\"b\":1,\"a\":2}","json","ok","{\"a\": 2, \"b\": 1}"],
  ["jsonb","12.5","numeric","ok","12.5"],
  ["jsonb","12.5","int4","ok","13"],
  ["jsonb","\"x\"","numeric","error","22023","cannot cast jsonb string to type numeric",null],
  ["jsonb","true","bool","ok","t"],
  ["int4[]","{1,2,3}","vector","ok","[1,2,3]"],
  ["float8[]","{1.5,2}","vector","ok","[1.5,2]"],
  ["numeric[]","{1.5,2}","vector","ok","[1.5,2]"],
  ["vector","[1,2.5]","float4[]","ok","{1,2.5}"],
  ["int4[]","{1,2}","vector(3)","error","22000","expected 3 dimensions, not 2",null],
  ["vector","[1,2]","vector(2)","ok","[1,2]"],
  ["vector","[1,2]","vector(3)","error","22000","expected 3 dimensions, not 2",null],
  ["text","[1,2]","vector","ok","[1,2]"],
  ["int4[]","{1,2}","text[]","ok","{1,2}"],
  ["text[]","{1,2}","int4[]","ok","{1,2}"],
  ["bool","t","text","ok","true"],
  ["interval","1 day","text","ok","1 day"],
  ["uuid","a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11","text","ok","a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"],
];

const SETTINGS: [string, string, string, ...Outcome][] = [
  ["set timezone='Asia/Kolkata'","timestamptz","2024-01-02 03:04:05+00","ok","2024-01-02 08:34:05+05:30"],
  ["set timezone='America/New_York'","timestamptz","2024-07-02 03:04:05+00","ok","2024-07-01 23:04:05-04"],
  ["set timezone='+05:30'","timestamptz","2024-01-02 03:04:05+00","ok","2024-01-01 21:34:05-05:30"],
  ["set timezone='America/New_York'","timestamptz","2024-03-10 02:30:00","ok","2024-03-10 03:30:00-04"],
  ["set extra_float_digits=0","float8","0.1","ok","0.1"],
  ["set extra_float_digits=0","float8","1e20","ok","1e+20"],
  ["set extra_float_digits=0","float4","0.1","ok","0.1"],
  ["set extra_float_digits=3","float8","0.1","ok","0.1"],
  ["set extra_float_digits=-2","float8","3.14159265358979","ok","3.14159265359"],
];

/** "numeric(5,2)" → {numeric, typmod}; "int4[]" → the array type */
export function typeFromName(name: string): SqlType {
  if (name === "char") return { oid: OID.bpchar, typmod: 5 }; // SQL char = character(1)
  const m = /^([a-z0-9_ ]+?)(?:\((\d+)(?:,(\d+))?\))?(\[\])?$/.exec(name)!;
  const base = m[1]!, arr = m[4] !== undefined;
  const oid = parseRegtype(base + (arr ? "[]" : ""));
  let typmod = -1;
  if (m[2] !== undefined) {
    const a = Number(m[2]), b = Number(m[3] ?? 0);
    if (base === "numeric") typmod = ((a << 16) | b) + 4;
    else if (base === "varchar" || base === "bpchar") typmod = a + 4;
    else typmod = a;
  }
  return { oid, typmod };
}

function run(f: () => string): string {
  try {
    return "ok " + f();
  } catch (e) {
    if (!(e instanceof SqlError)) throw e;
    return `error ${e.code} ${e.message}` + (e.fields.detail ? ` | ${e.fields.detail}` : "");
  }
}
const want = (o: Outcome): string => (o[0] === "ok" ? "ok " + o[1] : `error ${o[1]} ${o[2]}` + (o[3] ? ` | ${o[3]}` : ""));

function castFromLiteral(type: SqlType, text: string, ctx = testContext()): Value {
  return resolveCast({ oid: OID.unknown, typmod: -1 }, type, "explicit")!(text, ctx);
}

test("input and output functions match PostgreSQL", () => {
  const failures: string[] = [];
  for (const [t, input, ...o] of IO) {
    const type = typeFromName(t);
    const got = run(() => formatText(type, castFromLiteral(type, input)));
    if (got !== want(o as Outcome)) failures.push(`${t} ${JSON.stringify(input)}: got ${got}, want ${want(o as Outcome)}`);
  }
  assert.deepEqual(failures, []);
});

test("explicit casts match PostgreSQL", () => {
  const failures: string[] = [];
  for (const [from, input, to, ...o] of CASTS) {
    const ft = typeFromName(from), tt = typeFromName(to);
    const got = run(() => {
      const cast = resolveCast(ft, tt, "explicit");
      if (!cast) throw new Error(`no cast ${from} -> ${to}`);
      return formatText(tt, cast(castFromLiteral(ft, input), testContext()));
    });
    if (got !== want(o as Outcome)) failures.push(`${from}->${to} ${JSON.stringify(input)}: got ${got}, want ${want(o as Outcome)}`);
  }
  assert.deepEqual(failures, []);
});

test("TimeZone and extra_float_digits settings", () => {
  const failures: string[] = [];
  for (const [set, t, input, ...o] of SETTINGS) {
    const m = /^set (\w+)='?([^']*)'?$/.exec(set)!;
    const settings: Record<string, string> = { [m[1]!]: m[2]! };
    const ctx = testContext(settings);
    const type = typeFromName(t);
    const got = run(() => formatText(type, castFromLiteral(type, input, ctx), {
      timezone: ctx.setting("timezone"), extraFloatDigits: Number(ctx.setting("extra_float_digits")),
    }));
    if (got !== want(o as Outcome)) failures.push(`${set} ${t} ${input}: got ${got}, want ${want(o as Outcome)}`);
  }
  assert.deepEqual(failures, []);
});

test("assignment casts: varchar(n) and char(n) raise 22001, implicit casts exist only as in pg_cast", () => {
  const ctx = testContext();
  const v5 = typeFromName('varchar(5)');
  assert.throws(() => resolveCast({ oid: OID.text, typmod: -1 }, v5, 'assignment')!('abcdefg', ctx),
    (e: unknown) => e instanceof SqlError && e.code === '22001' && e.message === 'value too long for type character varying(5)');
  assert.equal(resolveCast({ oid: OID.text, typmod: -1 }, v5, 'assignment')!('abc  ', ctx), 'abc  ');
  assert.equal(resolveCast({ oid: OID.text, typmod: -1 }, v5, 'assignment')!('abcde   ', ctx), 'abcde');
  assert.throws(() => resolveCast({ oid: OID.text, typmod: -1 }, typeFromName('bpchar(2)'), 'assignment')!('abc', ctx),
    (e: unknown) => e instanceof SqlError && e.message === 'value too long for type character(2)');
  assert.equal(resolveCast({ oid: OID.int4, typmod: -1 }, { oid: OID.text, typmod: -1 }, 'implicit'), undefined);
  assert.ok(resolveCast({ oid: OID.int4, typmod: -1 }, { oid: OID.text, typmod: -1 }, 'assignment'));
  assert.equal(resolveCast({ oid: OID.text, typmod: -1 }, { oid: OID.int4, typmod: -1 }, 'assignment'), undefined);
  assert.equal(resolveCast({ oid: OID.int8, typmod: -1 }, { oid: OID.int4, typmod: -1 }, 'implicit'), undefined);
  assert.ok(resolveCast({ oid: OID.int8, typmod: -1 }, { oid: OID.int4, typmod: -1 }, 'assignment'));
  assert.ok(resolveCast(typeFromName('int4[]'), typeFromName('vector'), 'assignment'));
  assert.equal(resolveCast(typeFromName('int4[]'), typeFromName('vector'), 'implicit'), undefined);
  // text -> regclass goes through the catalog
  const reg = resolveCast({ oid: OID.text, typmod: -1 }, { oid: OID.regclass, typmod: -1 }, 'implicit')!;
  assert.equal(reg('items', ctx), 16400);
  assert.throws(() => reg('nope', ctx), (e: unknown) => e instanceof SqlError && e.code === '42P01' && e.message === 'relation "nope" does not exist');
  assert.equal(formatText({ oid: OID.regclass, typmod: -1 }, 16400, { relationName: (o) => (o === 16400 ? 'items' : undefined) }), 'items');
});

test("commonType follows select_common_type", () => {
  const t = (n: string): SqlType => typeFromName(n);
  const unknown: SqlType = { oid: OID.unknown, typmod: -1 };
  assert.deepEqual(commonType([t('int4'), t('int8')], 'CASE'), t('int8'));
  assert.deepEqual(commonType([t('int4'), t('numeric')], 'CASE'), t('numeric'));
  assert.deepEqual(commonType([t('int4'), t('float8'), t('numeric')], 'UNION'), t('float8'));
  assert.deepEqual(commonType([unknown, unknown], 'VALUES'), t('text'));
  assert.deepEqual(commonType([t('varchar'), t('text')], 'COALESCE'), t('varchar')); // as PostgreSQL 15 answers
  assert.deepEqual(commonType([t('text'), t('varchar')], 'COALESCE'), t('text'));
  assert.deepEqual(commonType([unknown, t('int4')], 'CASE'), t('int4'));
  assert.deepEqual(commonType([t('varchar(5)'), t('varchar(5)')], 'UNION'), t('varchar(5)'));
  assert.deepEqual(commonType([t('date'), t('timestamptz')], 'CASE'), t('timestamptz'));
  assert.throws(() => commonType([t('int4'), t('text')], 'CASE'),
    (e: unknown) => e instanceof SqlError && e.code === '42804' && e.message === 'CASE types integer and text cannot be matched');
});

test("compareValues and hashKey agree on equality", () => {
  const num = typeFromName('numeric'), f8 = typeFromName('float8'), bp = typeFromName('bpchar'), iv = typeFromName('interval');
  assert.equal(compareValues(num, '1.0', '1.00'), 0);
  assert.equal(hashKey(num, '1.0'), hashKey(num, '1.00'));
  assert.notEqual(hashKey(num, '1.0'), hashKey(num, '1.01'));
  assert.equal(compareValues(num, 'NaN', 'Infinity'), 1);
  assert.equal(compareValues(f8, NaN, Infinity), 1);
  assert.equal(compareValues(f8, NaN, NaN), 0);
  assert.equal(hashKey(f8, 0), hashKey(f8, -0));
  assert.equal(compareValues(bp, 'a  ', 'a'), 0);
  assert.equal(hashKey(bp, 'a  '), hashKey(bp, 'a'));
  assert.equal(compareValues(iv, { months: 1, days: 0, micros: 0 }, { months: 0, days: 30, micros: 0 }), 0);
  assert.equal(hashKey(iv, { months: 1, days: 0, micros: 0 }), hashKey(iv, { months: 0, days: 30, micros: 0 }));
  const txt = typeFromName('text');
  assert.equal(compareValues(txt, 'B', 'a'), -1); // C collation: by code point
  assert.equal(compareValues(txt, '\u{1F600}', '\uFFFF'), 1);
  const arr = typeFromName('int4[]');
  assert.equal(compareValues(arr, [1, 2], [1, 2, 0]), -1);
  assert.equal(compareValues(arr, [1, null], [1, 5]), 1);
  assert.equal(hashKey(arr, [1, 2]), hashKey(arr, [1, 2]));
  const vec = typeFromName('vector');
  assert.equal(hashKey(vec, Float32Array.from([1, 0])), hashKey(vec, Float32Array.from([1, -0])));
});
