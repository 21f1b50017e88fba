import { describe, expect, it } from "vitest";
import { parseDigitsParam } from "../../../worker/http/query-params.ts";

describe("parseDigitsParam", () => {
  it.each([
    [undefined, undefined],
    ["", undefined],
    ["0", 0],
    ["25", 25],
    ["07", 7],
  ])("accepts %j as %j", (raw, value) => {
    expect(parseDigitsParam(raw, 25)).toEqual({ ok: true, value });
  });

  it.each(["0x10", "1e1", "-1", "+1", "1.5", " 5", "5 ", "26", "0000000000000000001", "١", "NaN", "Infinity"])("refuses %j", (raw) => {
    expect(parseDigitsParam(raw, 25)).toEqual({ ok: false });
  });

  it("refuses 20 digits for a 15-digit maximum", () => {
    expect(parseDigitsParam("9".repeat(20), 999_999_999_999_999)).toEqual({ ok: false });
    expect(parseDigitsParam("9".repeat(15), 999_999_999_999_999)).toEqual({ ok: true, value: 999_999_999_999_999 });
  });
});
