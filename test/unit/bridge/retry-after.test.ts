import { describe, expect, it } from "vitest";
import { classifyResponse } from "../../../bridge/src/delivery/hub-poster.ts";
import { MAX_RETRY_AFTER_MS, parseRetryAfterMs } from "../../../bridge/src/delivery/retry-after.ts";

const NOW_MS = Date.parse("2026-11-30T12:00:00Z");

describe("parseRetryAfterMs", () => {
  it.each([
    ["0", 0],
    ["3", 3000],
    [" 42 ", 42_000],
    ["300", 300_000],
    ["301", MAX_RETRY_AFTER_MS],
    ["86400", MAX_RETRY_AFTER_MS],
    // Past setTimeout's 2^31-1 ms, which it would turn into 1 ms: capped, never a tight loop.
    ["2147484", MAX_RETRY_AFTER_MS],
    ["9".repeat(400), MAX_RETRY_AFTER_MS],
  ])("delay-seconds %j waits %i ms", (header, ms) => {
    expect(parseRetryAfterMs(header, NOW_MS)).toBe(ms);
  });

  it.each([
    ["Mon, 30 Nov 2026 12:00:10 GMT", 10_000],
    ["Mon, 30 Nov 2026 11:59:00 GMT", 0],
    ["Tue, 01 Dec 2026 12:00:00 GMT", MAX_RETRY_AFTER_MS],
    ["Fri, 31 Dec 9999 23:59:59 GMT", MAX_RETRY_AFTER_MS],
  ])("an HTTP date %j waits %i ms", (header, ms) => {
    expect(parseRetryAfterMs(header, NOW_MS)).toBe(ms);
  });

  it.each([null, "", "-1", "1.5", "1e9", "0x10", "soon", "Infinity"])("ignores %j (the bridge's own backoff applies)", (header) => {
    expect(parseRetryAfterMs(header, NOW_MS)).toBeNull();
  });

  it("reaches the outcome of a retryable answer", () => {
    expect(classifyResponse(429, "", "999999999", NOW_MS)).toMatchObject({ kind: "retry", retryAfterMs: MAX_RETRY_AFTER_MS });
    expect(classifyResponse(503, "", "Mon, 30 Nov 2026 12:00:05 GMT", NOW_MS)).toMatchObject({ kind: "retry", retryAfterMs: 5000 });
  });
});
