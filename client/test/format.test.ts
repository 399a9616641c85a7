import assert from "node:assert/strict";
import { test } from "node:test";
import { formatCount, formatTokens, formatUsd } from "../src/format";

const counts: Array<[number, string]> = [
  [0, "0"],
  [999, "999"],
  [1234, "1,234"],
  [1234567, "1,234,567"],
];
for (const [value, shown] of counts) {
  test(`formatCount(${value}) groups thousands with commas: ${shown}`, () => {
    assert.equal(formatCount(value), shown);
  });
}

const tokens: Array<[number, boolean, string]> = [
  [1234, true, "1,234"],
  [1234, false, "≈1,234"],
  [0, false, "≈0"],
];
for (const [value, exact, shown] of tokens) {
  test(`formatTokens(${value}, exact: ${exact}) is ${shown}`, () => {
    assert.equal(formatTokens(value, exact), shown);
  });
}

const dollars: Array<[number, string, string]> = [
  [1234.5, "$1,235", "whole dollars from $100"],
  [100, "$100", "whole dollars from $100"],
  [12.5, "$12.50", "cents from $1"],
  [1, "$1.00", "cents from $1"],
  [0.0021, "$0.0021", "four decimals below $1"],
  [0.0001, "$0.0001", "four decimals below $1"],
  [0.00001234, "$0.000012", "two significant figures below $0.0001"],
];
for (const [amount, shown, rule] of dollars) {
  test(`formatUsd(${amount}) is ${shown}: ${rule}`, () => {
    assert.equal(formatUsd(amount), shown);
  });
}
