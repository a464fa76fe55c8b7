/**
 * halfvec, sparsevec and bit: unit tests against values captured from PostgreSQL 15.18 +
 * pgvector 0.8.6 (x86-64). Text I/O, casts and operators end to end are in
 * sql-tests/halfvec.sql, sparsevec.sql and bitvec.sql.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { SqlError } from "../src/errors.js";
import { formatFloat4, formatFloat8 } from "../src/types/float.js";
import {
  floatToHalfBits, halfBitsToFloat, toHalf, parseHalfvec, formatHalfvec, halfvecL2Distance, halfvecNegativeInnerProduct,
  halfvecCosineDistance, halfvecL1Distance, halfvecAdd, halfvecMul, halfvecSubvector,
} from "../src/types/halfvec.js";
import { parseSparsevec, formatSparsevec, sparsevecL2Distance, sparsevecL1Distance, compareSparsevecs } from "../src/types/sparsevec.js";
import { parseBit, hammingDistance, jaccardDistance, binaryQuantize, applyBitTypmod, applyVarbitTypmod } from "../src/types/bitvec.js";
import { decodeParam, encodeValue } from "../src/wire/codecs.js";
import { OID } from "../src/types/types.js";
import { compareValues, hashKey } from "../src/types/compare.js";

const sqlState = (code: string) => (e: unknown) => e instanceof SqlError && e.code === code;

test("float16 rounding: nearest even, subnormals, overflow", () => {
  assert.equal(floatToHalfBits(1), 0x3c00);
  assert.equal(floatToHalfBits(65504), 0x7bff);
  assert.equal(floatToHalfBits(65519), 0x7bff); // below the rounding boundary
  assert.equal(floatToHalfBits(65520), 0x7c00); // rounds to infinity
  assert.equal(floatToHalfBits(-0), 0x8000);
  assert.equal(halfBitsToFloat(0x0001), 2 ** -24);
  assert.equal(toHalf(2 ** -25), 0); // tie → even (0)
  assert.equal(toHalf(3 * 2 ** -26), 2 ** -24);
  assert.equal(toHalf(1 + 2 ** -11), 1); // tie → even
  assert.equal(toHalf(1 + 3 * 2 ** -11), 1 + 2 ** -9);
  for (let h = 0; h < 0x7c00; h += 7) assert.equal(floatToHalfBits(halfBitsToFloat(h)), h);
});

test("halfvec text I/O matches pgvector", () => {
  assert.equal(formatHalfvec(parseHalfvec("[1,2.5,3.14159,65504,0.0001,-1e-7]")), "[1,2.5,3.140625,65504,0.000100016594,-1.1920929e-07]");
  assert.equal(formatHalfvec(parseHalfvec("[0.00001]")), "[1.001358e-05]");
  assert.equal(formatHalfvec(parseHalfvec(" [ 1e-8 ] ")), "[0]");
  assert.throws(() => parseHalfvec("[70000]"), (e) => e instanceof SqlError && e.code === "22003" && e.message === '"70000" is out of range for type halfvec');
  assert.throws(() => parseHalfvec("[nan]"), sqlState("22000"));
  assert.throws(() => parseHalfvec("[1,2]", 3), (e) => e instanceof SqlError && e.message === "expected 3 dimensions, not 2");
  assert.throws(() => parseHalfvec("[1,2] x"), sqlState("22P02"));
});

test("float4 output breaks exact ties to the even digit like Ryu", () => {
  assert.equal(formatFloat4(7.26953125), "7.2695312");
  assert.equal(formatFloat4(-6.36328125), "-6.3632812");
  assert.equal(formatFloat4(0.125), "0.125");
  assert.equal(formatFloat4(Math.fround(0.1)), "0.1");
});

test("halfvec distances and arithmetic (values from the reference server)", () => {
  const a = parseHalfvec("[1,2,3]"), b = parseHalfvec("[3,1,2]");
  assert.equal(formatFloat8(halfvecL2Distance(a, b)), "2.449489742783178");
  assert.equal(halfvecNegativeInnerProduct(a, b), -11);
  assert.equal(formatFloat8(halfvecCosineDistance(a, b)), "0.2142857142857143");
  assert.equal(halfvecL1Distance(a, b), 4);
  assert.equal(formatHalfvec(halfvecMul(parseHalfvec("[0.001]"), parseHalfvec("[0.001]"))), "[1.013279e-06]");
  assert.throws(() => halfvecAdd(parseHalfvec("[60000]"), parseHalfvec("[60000]")), (e) => e instanceof SqlError && e.message === "value out of range: overflow");
  assert.throws(() => halfvecL2Distance(a, parseHalfvec("[1,2]")), (e) => e instanceof SqlError && e.message === "different halfvec dimensions 3 and 2");
  assert.equal(formatHalfvec(halfvecSubvector(parseHalfvec("[1,2,3,4]"), 2, 2)), "[2,3]");
  assert.throws(() => halfvecSubvector(parseHalfvec("[1,2,3,4]"), 5, 2), sqlState("22000"));
});

test("sparsevec text I/O, distances and order", () => {
  assert.equal(formatSparsevec(parseSparsevec("  { 3:2 , 1 : 1.5, 4:0 } / 5 ")), "{1:1.5,3:2}/5");
  assert.equal(formatSparsevec(parseSparsevec("{}/3")), "{}/3");
  assert.throws(() => parseSparsevec("{1:1,1:2}/3"), (e) => e instanceof SqlError && e.message === "sparsevec indices must not contain duplicates");
  assert.throws(() => parseSparsevec("{4:1}/3"), (e) => e instanceof SqlError && e.message === "sparsevec index out of bounds");
  assert.throws(() => parseSparsevec("{1:1}"), (e) => e instanceof SqlError && e.code === "22P02" && e.fields.detail === "Unexpected end of input.");
  const a = parseSparsevec("{1:1,2:2}/3"), b = parseSparsevec("{2:1,3:5}/3");
  assert.equal(formatFloat8(sparsevecL2Distance(a, b)), "5.196152422706632");
  assert.equal(sparsevecL1Distance(a, b), 7);
  assert.ok(compareSparsevecs(parseSparsevec("{1:-1}/3"), parseSparsevec("{}/3")) < 0);
  assert.ok(compareSparsevecs(parseSparsevec("{2:1}/3"), parseSparsevec("{}/3")) > 0);
  assert.equal(compareSparsevecs(parseSparsevec("{1:1}/3"), parseSparsevec("{1:1}/3")), 0);
  assert.equal(hashKey({ oid: OID.sparsevec, typmod: -1 }, a), hashKey({ oid: OID.sparsevec, typmod: -1 }, parseSparsevec("{2:2,1:1}/3")));
});

test("bit strings: input, typmods, hamming and jaccard", () => {
  assert.equal(parseBit("x1f"), "00011111");
  assert.equal(parseBit("B101"), "101");
  assert.throws(() => parseBit("1012"), (e) => e instanceof SqlError && e.message === '"2" is not a valid binary digit');
  assert.equal(applyBitTypmod("101", 4, true), "1010");
  assert.throws(() => applyBitTypmod("101", 4, false), sqlState("22026"));
  assert.throws(() => applyVarbitTypmod("10101", 3, false), sqlState("22001"));
  assert.equal(hammingDistance("1010", "0110"), 2);
  assert.equal(formatFloat8(jaccardDistance("1010", "0110")), "0.6666666666666667");
  assert.equal(jaccardDistance("0000", "0000"), 1);
  assert.equal(binaryQuantize(Float32Array.from([1, -1, 0, 2])), "1001");
  assert.ok(compareValues({ oid: OID.varbit, typmod: -1 }, "10", "100") < 0);
});

test("binary codecs are byte-exact with pgvector's *_send and PostgreSQL's bit_send", () => {
  const cases: { oid: number; text: string; hex: string; value: unknown }[] = [
    { oid: OID.halfvec, text: "[1,2.5,-0.1,65504,0.00001]", hex: "000500003c004100ae667bff00a8", value: parseHalfvec("[1,2.5,-0.1,65504,0.00001]") },
    { oid: OID.sparsevec, text: "{1:1.5,3:-2}/5", hex: "00000005000000020000000000000000000000023fc00000c0000000", value: parseSparsevec("{1:1.5,3:-2}/5") },
    { oid: OID.bit, text: "1010110011", hex: "0000000aacc0", value: "1010110011" },
    { oid: OID.varbit, text: "101", hex: "00000003a0", value: "101" },
  ];
  for (const c of cases) {
    const type = { oid: c.oid, typmod: -1 };
    assert.equal(encodeValue(type, c.value as never, 1, {})!.toString("hex"), c.hex, c.text);
    const back = decodeParam(type, Buffer.from(c.hex, "hex"), 1, 0);
    assert.equal(encodeValue(type, back, 0, {})!.toString(), encodeValue(type, c.value as never, 0, {})!.toString());
  }
  assert.throws(() => decodeParam({ oid: OID.halfvec, typmod: 3 }, Buffer.from("000200003c004100", "hex"), 1, 0), (e) => e instanceof SqlError && e.message === "expected 3 dimensions, not 2");
  assert.throws(() => decodeParam({ oid: OID.sparsevec, typmod: -1 }, Buffer.from("000000050000000100000000000000000000000000", "hex").subarray(0, 20), 1, 0),
    (e) => e instanceof SqlError && e.message === "binary representation of sparsevec cannot contain zero values");
});
