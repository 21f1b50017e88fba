/**
 * Replay from any retained point: for any trimmed log and any cursor, the plan
 * is `replay` exactly when every delta after the cursor is still retained, and
 * then the state at the cursor plus `deltasAfter` (paged) is the live state.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyChanges, emptyState, type ChannelState, type DeltaFrame } from "../../../protocol/index.ts";
import { ChannelCore } from "../../../worker/channel/channel-core.ts";
import { MemoryChannelStorage } from "../../fakes/memory-channel-storage.ts";
import { NUM_RUNS, eventBatches } from "./arbitraries.ts";

const T0 = Date.parse("2026-11-01T10:00:00.000Z");

/** The state after each seq, from the whole log before it is trimmed: index = seq. */
function statesBySeq(storage: MemoryChannelStorage): string[] {
  const state: ChannelState = emptyState();
  const states = [JSON.stringify(state)];
  for (const row of storage.deltas) {
    applyChanges(state, (JSON.parse(row.json) as DeltaFrame).changes);
    states.push(JSON.stringify(state));
  }
  return states;
}

describe("planReplay and deltasAfter on any log", () => {
  it("replays exactly when possible, and the replay reproduces the live state", () => {
    const cursor = fc.record({
      since: fc.integer({ min: -2, max: 80 }),
      epoch: fc.constantFrom("EPOCH", "OTHER", undefined),
      trimTo: fc.nat(80),
      pageSize: fc.integer({ min: 1, max: 7 }),
    });
    fc.assert(
      fc.property(eventBatches, cursor, (batches, { since, epoch, trimTo, pageSize }) => {
        const storage = new MemoryChannelStorage();
        const core = new ChannelCore(storage, { healthHistory: 3, agentTtlMs: 60_000, newEpoch: () => "EPOCH" });
        for (const events of batches) core.ingest(events, T0, T0);
        const states = statesBySeq(storage);
        const head = core.head;
        // Retention always keeps the newest delta (retention.ts): MAX(seq) is how storage knows the head.
        storage.trim(Math.min(trimTo, head), 0);

        const plan = core.planReplay({ since, epoch });
        const retained = new Set(storage.deltas.map((d) => d.seq));
        const everyDeltaAfterRetained = Array.from({ length: Math.max(0, head - since) }, (_, i) => since + 1 + i).every((seq) => retained.has(seq));
        const possible = epoch === "EPOCH" && since >= 0 && since <= head && everyDeltaAfterRetained;
        expect(plan.mode, JSON.stringify({ plan, head, oldest: storage.oldest() })).toBe(possible ? "replay" : "snapshot");
        if (plan.mode !== "replay") return;

        const state = JSON.parse(states[since]!) as ChannelState;
        const seqs: number[] = [];
        for (let after = plan.after; after < plan.head; ) {
          const page = core.deltasAfter(after, pageSize);
          expect(page.length).toBeGreaterThan(0);
          for (const row of page) {
            const frame = JSON.parse(row.json) as DeltaFrame;
            seqs.push(frame.seq);
            applyChanges(state, frame.changes);
          }
          after = page.at(-1)!.seq;
        }
        expect(seqs).toEqual(Array.from({ length: head - since }, (_, i) => since + 1 + i));
        expect(state).toEqual(JSON.parse(JSON.stringify(core.snapshot().state)));
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
