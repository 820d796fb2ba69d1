import { describe, it, expect } from "vitest";
import {
  parseQuantity,
  cpuMillis,
  memoryBytes,
  isValidQuantity,
  formatMemory,
  formatCpu,
  canonicalQuantity,
  compareQuantities,
  QUANTITY_REGEX_MESSAGE,
} from "../../src/model/quantity";

describe("parseQuantity", () => {
  it.each([
    ["1", 1],
    ["0.5", 0.5],
    ["250m", 0.25],
    ["1k", 1000],
    ["500k", 500_000],
    ["128M", 128_000_000],
    ["64Mi", 64 * 1024 ** 2],
    ["1Gi", 1024 ** 3],
    ["1.5Gi", 1.5 * 1024 ** 3],
    ["2Ti", 2 * 1024 ** 4],
    ["1Ki", 1024],
    ["1e3", 1000],
    ["1E3", 1000],
    ["5e-3", 0.005],
    ["1E", 1e18],
    ["100n", 1e-7],
    ["3u", 3e-6],
    ["-1", -1],
    ["+2", 2],
    [".5", 0.5],
    ["10.", 10],
  ])("%s -> %d", (s, v) => {
    expect(parseQuantity(s)).toBeCloseTo(v, 12);
  });

  it("accepts JSON numbers as the API server does", () => {
    expect(parseQuantity(2)).toBe(2);
    expect(cpuMillis(0.5)).toBe(500);
  });

  it.each(["", "abc", "1mi", "1K", "1KiB", "1.2.3", "1e", "e3", "1 Gi", "Mi", "--1", "1Gi5"])("rejects %j", (s) => {
    expect(isValidQuantity(s)).toBe(false);
    expect(() => parseQuantity(s)).toThrow(QUANTITY_REGEX_MESSAGE);
  });
});

describe("cpuMillis / memoryBytes", () => {
  it.each([
    ["250m", 250],
    ["1", 1000],
    ["0.1", 100], // exact: floating point would give 100.00000000000001 and round up to 101
    ["0.5", 500],
    ["2.5", 2500],
    ["1500m", 1500],
    ["100u", 1], // sub-milli rounds up
    ["1n", 1],
  ])("cpu %s = %d millis", (s, m) => expect(cpuMillis(s)).toBe(m));

  it.each([
    ["64Mi", 67_108_864],
    ["1Gi", 1_073_741_824],
    ["128M", 128_000_000],
    ["1e3", 1000],
    ["500k", 500_000],
    ["0.5Ki", 512],
    ["100m", 1], // 0.1 byte rounds up
  ])("memory %s = %d bytes", (s, b) => expect(memoryBytes(s)).toBe(b));
});

describe("canonical formatting", () => {
  it.each([
    [8 * 1024 ** 3, "8Gi"],
    [7934 * 1024 ** 2, "7934Mi"],
    [1024, "1Ki"],
    [1000, "1k"], // below 1024 a binary value prints in decimal, as upstream
    [1500, "1500"],
    [0, "0"],
    [3 * 1024 ** 6, "3Ei"],
  ])("formatMemory(%d) = %s", (b, s) => expect(formatMemory(b)).toBe(s));

  it.each([
    [4000, "4"],
    [250, "250m"],
    [1500, "1500m"],
    [0, "0"],
    [100_000, "100"],
    [2, "2m"],
  ])("formatCpu(%d) = %s", (m, s) => expect(formatCpu(m)).toBe(s));

  it.each([
    ["1000m", "1"],
    ["0.5", "500m"],
    ["1.5Gi", "1536Mi"],
    ["128M", "128M"],
    ["2000", "2k"],
    ["1e3", "1e3"],
    ["0.1", "100m"],
    ["-1", "-1"],
    ["1.5", "1500m"],
    ["1n", "1n"],
    ["0.1n", "1n"],
  ])("canonicalQuantity(%s) = %s", (q, s) => expect(canonicalQuantity(q)).toBe(s));
});

describe("compareQuantities", () => {
  it.each([
    ["1", "1000m", 0],
    ["1Gi", "1G", 1],
    ["500m", "0.6", -1],
    ["1Ki", "1024", 0],
  ])("%s vs %s", (a, b, c) => expect(compareQuantities(a, b)).toBe(c));
});
