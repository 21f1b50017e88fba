/**
 * The channel core on the in-memory storage: any stream of valid events never
 * throws past ingest, keeps the state well-formed, and its deltas, applied in
 * seq order to an empty state, give exactly its snapshot.
 */
import fc from "fast-check";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { ChannelStateSchema, applyChanges, emptyState, type ChannelState, type DeltaFrame } from "../../../protocol/index.ts";
import { ChannelCore } from "../../../worker/channel/channel-core.ts";
import { MemoryChannelStorage } from "../../fakes/memory-channel-storage.ts";
import { NUM_RUNS, eventBatches } from "./arbitraries.ts";

const T0 = Date.parse("2026-11-01T10:00:00.000Z");
const OPTIONS = { healthHistory: 3, agentTtlMs: 20_000, newEpoch: () => "EPOCH" };

/** The state a client reaches from nothing by applying every delta the core committed. */
function replayed(storage: MemoryChannelStorage): ChannelState {
  const state = emptyState();
  for (const row of storage.deltas) applyChanges(state, (JSON.parse(row.json) as DeltaFrame).changes);
  return state;
}

/** Same JSON value, key order aside (a reload lists health sources sorted). toEqual, as toStrictEqual trips on a "constructor" key. */
const sameJson = (a: unknown, b: unknown) => expect(JSON.parse(JSON.stringify(a))).toEqual(JSON.parse(JSON.stringify(b)));

describe("ChannelCore under any stream of valid events", () => {
  it("commits gap-free deltas that rebuild its snapshot exactly, and a reload agrees", () => {
    const step = fc.record({ gapMs: fc.integer({ min: 0, max: 30_000 }), expire: fc.boolean() });
    fc.assert(
      fc.property(eventBatches, fc.array(step, { minLength: 12, maxLength: 12 }), (batches, steps) => {
        const storage = new MemoryChannelStorage();
        const core = new ChannelCore(storage, OPTIONS);
        let nowMs = T0;
        let acknowledged = 0;
        batches.forEach((events, i) => {
          const { gapMs, expire } = steps[i]!;
          nowMs += gapMs;
          const result = core.ingest(events, nowMs, nowMs);
          expect(result.accepted + result.duplicates + result.stale).toBe(events.length);
          acknowledged += events.length;
          if (expire) core.expireAgents(nowMs);
        });

        expect(storage.deltas.map((d) => d.seq)).toEqual(Array.from({ length: core.head }, (_, i) => i + 1));
        const { state, seq } = core.snapshot();
        expect(seq).toBe(core.head);
        expect(v.is(ChannelStateSchema, JSON.parse(JSON.stringify(state)))).toBe(true);
        sameJson(replayed(storage), state);
        sameJson(new ChannelCore(storage, OPTIONS).snapshot(), core.snapshot());
        const counters = storage.counters();
        expect(counters.eventsAccepted + counters.eventsDuplicate + counters.eventsStale).toBe(acknowledged);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("with a conflation window, the deltas (held ones sent) still rebuild the snapshot, across a reload", () => {
    const step = fc.record({ gapMs: fc.integer({ min: 0, max: 300 }), flushDue: fc.boolean(), expire: fc.boolean(), reload: fc.boolean() });
    fc.assert(
      fc.property(eventBatches, fc.array(step, { minLength: 12, maxLength: 12 }), (batches, steps) => {
        const storage = new MemoryChannelStorage();
        const options = { ...OPTIONS, coalesceMs: 100 };
        let core = new ChannelCore(storage, options);
        let nowMs = T0;
        batches.forEach((events, i) => {
          const { gapMs, flushDue, expire, reload } = steps[i]!;
          nowMs += gapMs;
          core.ingest(events, nowMs, nowMs);
          if (flushDue) core.flushDue(nowMs + 100);
          if (expire) core.expireAgents(nowMs);
          if (reload) core = new ChannelCore(storage, options);
        });
        core.flushAll(nowMs);
        expect(storage.deltas.map((d) => d.seq)).toEqual(Array.from({ length: core.head }, (_, i) => i + 1));
        sameJson(replayed(storage), core.snapshot().state);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("applies a re-sent batch at most once: the second delivery is all duplicates and changes nothing", () => {
    fc.assert(
      fc.property(eventBatches, (batches) => {
        const storage = new MemoryChannelStorage();
        const core = new ChannelCore(storage, OPTIONS);
        for (const events of batches) core.ingest(events, T0, T0);
        const before = JSON.stringify(core.snapshot());
        for (const events of batches) expect(core.ingest(events, T0, T0)).toMatchObject({ accepted: 0, stale: 0, duplicates: events.length, deltas: [] });
        expect(JSON.stringify(core.snapshot())).toBe(before);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
