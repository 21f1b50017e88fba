import { describe, expect, it } from "vitest";
import { emptyState } from "../../../protocol/index.ts";
import { browserStateCache, memoryStateCache, STATE_CACHE_KEY_PREFIX } from "../../../dashboard/src/lib/live/index.ts";
import { MemoryStorage } from "../../fakes/dashboard/memory-storage.ts";
import { agentSet, makeHarness, startLive } from "./harness.ts";

describe("browserStateCache", () => {
  it("round-trips (epoch, seq, state) per channel under namespaced keys", () => {
    const storage = new MemoryStorage();
    const cache = browserStateCache(storage);
    const state = emptyState();
    state.meta.name = "p";
    cache.save("a", { epoch: "e", seq: 4, state });
    cache.save("b", { epoch: "e", seq: 9, state: emptyState() });
    expect(cache.load("a")).toEqual({ epoch: "e", seq: 4, state });
    expect(cache.load("b")?.seq).toBe(9);
    expect(cache.load("c")).toBeNull();
    expect(storage.getItem(`${STATE_CACHE_KEY_PREFIX}a`)).not.toBeNull();
  });

  it("drops corrupt JSON and wrong shapes instead of throwing", () => {
    const storage = new MemoryStorage();
    const cache = browserStateCache(storage);
    storage.setItem(`${STATE_CACHE_KEY_PREFIX}a`, "{not json");
    storage.setItem(`${STATE_CACHE_KEY_PREFIX}b`, JSON.stringify({ epoch: "e", seq: -1, state: emptyState() }));
    storage.setItem(`${STATE_CACHE_KEY_PREFIX}c`, JSON.stringify({ epoch: "e", seq: 1, state: { agents: {} } }));
    expect([cache.load("a"), cache.load("b"), cache.load("c")]).toEqual([null, null, null]);
    expect(storage.length).toBe(0);
  });

  it("survives a full storage: evicts other channels, and never throws", () => {
    const storage = new MemoryStorage();
    const cache = browserStateCache(storage);
    cache.save("old", { epoch: "e", seq: 1, state: emptyState() });
    storage.setItem("unrelated", "keep me");
    storage.quotaChars = 200;
    cache.save("new", { epoch: "e", seq: 2, state: emptyState() });
    expect(cache.load("new")?.seq).toBe(2);
    expect(cache.load("old")).toBeNull();
    expect(storage.getItem("unrelated")).toBe("keep me");
    storage.quotaChars = 10;
    expect(() => cache.save("new", { epoch: "e", seq: 3, state: emptyState() })).not.toThrow();
    expect(cache.load("new")?.seq).toBe(2);
  });
});

describe("LiveChannel and the cache", () => {
  it("paints the cached state at start(), before any socket opens, and resumes with since = cached seq", async () => {
    const cache = memoryStateCache();
    const h = makeHarness({ cache });
    for (let i = 0; i < 5; i++) h.hub.commit([agentSet(`a${i}`)]);
    cache.save("demo", { epoch: h.hub.epoch, seq: 3, state: structuredClone(h.hub.state) });
    h.live.start();
    expect(h.live.state?.agents["a0"]).toBeDefined();
    expect(h.live.status).toMatchObject({ phase: "connecting", seq: 3 });
    const socket = await h.nextSocket();
    expect(socket.params).toEqual({ since: "3", epoch: h.hub.epoch, ticket: "ticket-1" });
    h.hub.accept(socket);
    expect(h.live.status).toMatchObject({ phase: "live", seq: 5 });
    expect(h.live.debug.replays.recovered).toBe(1);
    expect(h.live.debug.replays.snapshots).toBe(0);
  });

  it("saves at most once per second while deltas stream, and at once on stop()", async () => {
    const saves: number[] = [];
    const inner = memoryStateCache();
    const h = makeHarness({ cache: { load: inner.load, save: (c, e) => (saves.push(e.seq), inner.save(c, e)) } });
    await startLive(h);
    h.clock.advance(0);
    expect(saves).toEqual([0]);
    // 25 deltas over 2.5 s: saves at 1 s and 2 s only.
    for (let i = 0; i < 25; i++) {
      h.hub.commit([agentSet()]);
      h.clock.advance(100);
    }
    expect(saves).toHaveLength(3);
    expect(saves.at(-1)).toBeLessThan(25);
    h.live.stop();
    expect(saves.at(-1)).toBe(25);
    expect(inner.load("demo")?.seq).toBe(25);
  });

  it("saves on pagehide", async () => {
    let hide: (() => void) | null = null;
    const cache = memoryStateCache();
    const h = makeHarness({ cache, page: { onHide: (cb) => ((hide = cb), () => (hide = null)), onOnline: () => () => {} } });
    await startLive(h);
    expect(cache.load("demo")?.seq).toBe(0); // the first save is due at once
    h.hub.commit([agentSet()]);
    expect(cache.load("demo")?.seq).toBe(0); // the next one only a second later...
    hide!();
    expect(cache.load("demo")?.seq).toBe(1);
  });
});
