import { describe, expect, it } from "vitest";
import { backoffDelayMs } from "../../../protocol/index.ts";
import { BRIDGE_BACKOFF } from "../../../bridge/src/delivery/delivery-loop.ts";
import { classifyResponse } from "../../../bridge/src/delivery/hub-poster.ts";

describe("backoffDelayMs", () => {
  const policy = BRIDGE_BACKOFF;
  it.each([
    [1, 0.999, 250],
    [2, 0.999, 499],
    [4, 0.999, 1998],
    [10, 0.999, 9990],
    [50, 0.999, 9990],
    [3, 0, 250],
  ])("attempt %i with random %f waits %i ms", (attempt, r, ms) => {
    expect(backoffDelayMs(attempt, policy, () => r)).toBe(ms);
  });

  it("jitters between the floor and the ceiling", () => {
    const delays = Array.from({ length: 200 }, () => backoffDelayMs(6, policy));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(250);
    expect(Math.max(...delays)).toBeLessThanOrEqual(8000);
    expect(new Set(delays).size).toBeGreaterThan(20);
  });
});

describe("classifyResponse", () => {
  const error = (code: string, message: string, details?: unknown) => JSON.stringify({ error: { code, message, ...(details ? { details } : {}) } });

  it("takes a 202 as delivered", () => {
    expect(classifyResponse(202, JSON.stringify({ accepted: 2, duplicates: 1, stale: 0, head: 9 }))).toEqual({ kind: "accepted", result: { accepted: 2, duplicates: 1, stale: 0, head: 9 } });
  });

  it.each([429, 500, 502, 503, 408])("retries %i", (status) => {
    expect(classifyResponse(status, "", "3")).toMatchObject({ kind: "retry", status, retryAfterMs: 3000 });
  });

  it("states a bad secret plainly", () => {
    const outcome = classifyResponse(401, error("bad_signature", "X-Hub-Signature does not match"));
    expect(outcome).toMatchObject({ kind: "unauthorized" });
    expect(outcome.kind === "unauthorized" && outcome.message).toMatch(/^the hub rejected the signature: check the channel's key \(TASKMASTER_LIVE_KEY, --key-file or WEBHOOK_SECRET\)/);
  });

  it("points at the clock for a stale timestamp", () => {
    const outcome = classifyResponse(401, error("stale_timestamp", "X-Hub-Timestamp is 900 s from the server clock"));
    expect(outcome.kind === "unauthorized" && outcome.message).toMatch(/check this machine's clock/);
  });

  it("takes 503 not_configured as the operator's to fix, not as a busy hub", () => {
    const outcome = classifyResponse(503, error("not_configured", "the hub has no WEBHOOK_SECRET: set it"));
    expect(outcome).toStrictEqual({ kind: "unconfigured", message: "the hub is not configured (the hub has no WEBHOOK_SECRET: set it)" });
    expect(classifyResponse(503, error("internal", "busy"))).toMatchObject({ kind: "retry" });
  });

  it("treats 404/405 as a wrong --hub, not as bad events", () => {
    expect(classifyResponse(404, "<html>")).toMatchObject({ kind: "misdirected", status: 404 });
  });

  it("names the culprits of a 422", () => {
    const body = error("invalid_event", "2 of 5 events do not match", { issues: [{ index: 3, path: "data", message: "x" }, { index: 1, path: "id", message: "y" }, { index: 3, path: "type", message: "z" }] });
    expect(classifyResponse(422, body)).toMatchObject({ kind: "rejected", status: 422, code: "invalid_event", badIndexes: [3, 1] });
  });

  it("rejects other 4xx without culprits", () => {
    expect(classifyResponse(413, error("too_large", "too big"))).toMatchObject({ kind: "rejected", status: 413, badIndexes: null });
    expect(classifyResponse(400, "not json")).toMatchObject({ kind: "rejected", code: "unknown", message: "not json" });
  });
});
