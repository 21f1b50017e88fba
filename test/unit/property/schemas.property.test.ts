/** The webhook boundary: no JSON value throws past `parseWebhookBody`, and whatever it accepts is within the limits. */
import fc from "fast-check";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { EventSchema, MAX_EVENT_BYTES, MAX_METADATA_BYTES, MAX_METADATA_DEPTH, parseWebhookBody, type HubEvent } from "../../../protocol/index.ts";
import { jsonByteLength, nestsDeeperThan } from "../../../protocol/json-bounds.ts";
import { NUM_RUNS, deepNesting, hostileJson, validEvent } from "./arbitraries.ts";

function metadataOf(event: HubEvent): unknown[] {
  if (event.type !== "task.upsert") return [];
  return [event.data.task.metadata, ...(event.data.task.subtasks ?? []).map((s) => s.metadata)].filter((m) => m !== undefined);
}

/** Never throws; every accepted event is within the byte limits and survives a JSON round trip unchanged. */
function checkBoundary(body: unknown): void {
  const result = parseWebhookBody(body);
  if (!result.ok) {
    expect(result.issues.length).toBeGreaterThan(0);
    return;
  }
  for (const event of result.events) {
    expect(jsonByteLength(event)).toBeLessThanOrEqual(MAX_EVENT_BYTES);
    for (const metadata of metadataOf(event)) {
      expect(nestsDeeperThan(metadata, MAX_METADATA_DEPTH)).toBe(false);
      expect(jsonByteLength(metadata)).toBeLessThanOrEqual(MAX_METADATA_BYTES);
    }
    const again = v.safeParse(EventSchema, JSON.parse(JSON.stringify(event)));
    expect(again.success).toBe(true);
    // JSON text, not toStrictEqual: a metadata key "constructor" would defeat its type check.
    expect(JSON.stringify(again.output)).toBe(JSON.stringify(event));
  }
}

describe("parseWebhookBody on hostile input", () => {
  it("never throws on arbitrary JSON, alone or as a batch", () => {
    fc.assert(
      fc.property(hostileJson, (body) => {
        checkBoundary(body);
        checkBoundary({ events: [body] });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("never throws on valid events whose fields are swapped for hostile values", () => {
    const mutated = fc.tuple(validEvent, fc.constantFrom("id", "type", "occurredAt", "data", "data.task", "data.task.metadata", "data.task.id", "data.agentId", "data.tag"), fc.oneof(hostileJson, deepNesting));
    fc.assert(
      fc.property(mutated, ([event, path, value]) => {
        const body = JSON.parse(JSON.stringify(event)) as Record<string, unknown>;
        const keys = path.split(".");
        let target: Record<string, unknown> = body;
        for (const key of keys.slice(0, -1)) {
          const next = target[key];
          if (typeof next !== "object" || next === null) return;
          target = next as Record<string, unknown>;
        }
        target[keys.at(-1)!] = value;
        checkBoundary(body);
        checkBoundary({ events: [event, body] });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("accepts every generated valid event as it was generated", () => {
    fc.assert(
      fc.property(fc.array(validEvent, { minLength: 1, maxLength: 5 }), (events) => {
        const result = parseWebhookBody(JSON.parse(JSON.stringify({ events })));
        expect(JSON.stringify(result)).toBe(JSON.stringify({ ok: true, events }));
        checkBoundary({ events });
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
