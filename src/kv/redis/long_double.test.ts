/**
 * The software long double behind HINCRBYFLOAT: reading as strtold, one rounding per addition,
 * and ld2string's human format. Expected texts are what redis-server 7.0.15 on x86-64 answers.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { addLongDouble, formatLongDoubleHuman, parseLongDouble, type LongDouble } from "./float_format.js";

function value(text: string): LongDouble {
  const parsed = parseLongDouble(text);
  assert.notEqual(parsed, null, text);
  return parsed as LongDouble;
}

function sum(a: string, b: string): string {
  const result = addLongDouble(value(a), value(b));
  assert.notEqual(result, null);
  return formatLongDoubleHuman(result);
}

test("sums round once in a 64-bit significand, so 10.5 + 0.1 is 10.6 (a double would give 10.59999999999999964)", () => {
  assert.equal(sum("10.5", "0.1"), "10.6");
  assert.equal((10.5 + 0.1).toFixed(17), "10.59999999999999964"); // why doubles will not do
  assert.equal(sum("0.1", "0.2"), "0.3");
  assert.equal(sum("0.3", "-0.3"), "0");
  assert.equal(sum("1e308", "1e308").length, 309);
  assert.equal(sum("-7", "0.000000000000000001"), "-7");
  assert.equal(sum("5", "-5.6"), "-0.6");
});

test("reading follows strtold: decimal, hex, infinities; NaN, leftovers and range errors are refused", () => {
  assert.equal(formatLongDoubleHuman(value("3.14159265358979323846")), "3.14159265358979324");
  assert.equal(formatLongDoubleHuman(value("0x1.8p1")), "3");
  assert.equal(formatLongDoubleHuman(value(".5")), "0.5");
  assert.equal(formatLongDoubleHuman(value("5.")), "5");
  assert.equal(formatLongDoubleHuman(value("-0")), "0");
  assert.equal(formatLongDoubleHuman(value("1.5e-4950")), "0"); // a subnormal: accepted
  assert.deepEqual(value("-inf"), { kind: "inf", negative: true });
  assert.deepEqual(value("Infinity"), { kind: "inf", negative: false });
  for (const bad of ["", ".", "1e", "nan", " 1", "1 ", "0x", "1e-5000", "1e5000", "1e99999999999", "abc", "1.2.3"]) {
    assert.equal(parseLongDouble(bad), null, JSON.stringify(bad));
  }
  assert.equal(parseLongDouble("1".repeat(5120)), null);
  assert.equal(formatLongDoubleHuman(value("0e99999999")), "0");
});

test("inf plus -inf is NaN; an infinity propagates", () => {
  assert.deepEqual(addLongDouble(value("inf"), value("-inf")), { kind: "nan" });
  assert.deepEqual(addLongDouble(value("inf"), value("1")), { kind: "inf", negative: false });
});
