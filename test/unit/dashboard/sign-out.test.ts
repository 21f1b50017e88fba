import { describe, expect, it } from "vitest";
import { emptyState } from "../../../protocol/index.ts";
import { DASHBOARD_STORAGE_PREFIX, clearDashboardStorage, signedOutElsewhere } from "../../../dashboard/src/lib/auth/sign-out.ts";
import { TOKEN_STORAGE_KEY, readStoredToken, storeToken } from "../../../dashboard/src/lib/auth/token-store.ts";
import { browserStateCache, revocableStateCache, STATE_CACHE_KEY_PREFIX } from "../../../dashboard/src/lib/live/index.ts";
import { MemoryStorage } from "../../fakes/dashboard/memory-storage.ts";
import { agentSet, makeHarness, startLive } from "./harness.ts";

function signedInStorage(): MemoryStorage {
  const storage = new MemoryStorage();
  storeToken(storage, "s3cret");
  const cache = browserStateCache(storage);
  for (const channel of ["alpha", "beta", "gamma"]) cache.save(channel, { epoch: "e", seq: 1, state: emptyState() });
  storage.setItem("another-app.settings", "keep me");
  return storage;
}

describe("clearDashboardStorage", () => {
  it("removes the token and every cached channel state, and nothing of other apps", () => {
    const storage = signedInStorage();
    expect(storage.length).toBe(5);
    expect(clearDashboardStorage(storage)).toBe(4);
    expect(readStoredToken(storage)).toBeNull();
    expect(browserStateCache(storage).load("beta")).toBeNull();
    expect(storage.length).toBe(1);
    expect(storage.getItem("another-app.settings")).toBe("keep me");
  });

  it("covers every key the dashboard writes", () => {
    expect(TOKEN_STORAGE_KEY.startsWith(DASHBOARD_STORAGE_PREFIX)).toBe(true);
    expect(STATE_CACHE_KEY_PREFIX.startsWith(DASHBOARD_STORAGE_PREFIX)).toBe(true);
  });

  it("never throws, also on storage that refuses access", () => {
    const broken = new MemoryStorage();
    Object.defineProperty(broken, "length", {
      get: () => {
        throw new DOMException("denied", "SecurityError");
      },
    });
    expect(clearDashboardStorage(broken)).toBe(0);
  });
});

describe("revocableStateCache", () => {
  it("loads and saves through until revoked, then neither", () => {
    const storage = new MemoryStorage();
    const cache = revocableStateCache(browserStateCache(storage));
    cache.save("alpha", { epoch: "e", seq: 2, state: emptyState() });
    expect(cache.load("alpha")?.seq).toBe(2);
    cache.revoke();
    expect(cache.load("alpha")).toBeNull();
    cache.save("beta", { epoch: "e", seq: 3, state: emptyState() });
    expect(storage.getItem(`${STATE_CACHE_KEY_PREFIX}beta`)).toBeNull();
  });

  it("keeps a live channel stopped after sign-out from writing its state back", async () => {
    const storage = signedInStorage();
    const cache = revocableStateCache(browserStateCache(storage));
    const h = makeHarness({ cache });
    await startLive(h);
    h.hub.commit([agentSet("a1")]);
    await h.clock.run(10_000);
    h.live.saveCache();
    expect(storage.getItem(`${STATE_CACHE_KEY_PREFIX}demo`)).not.toBeNull();
    h.hub.commit([agentSet("a2")]);
    expect(h.live.state?.agents["a2"]).toBeDefined();

    // Session.logOut()'s order: revoke, clear; the page unmounts (stop() saves what changed since) after.
    cache.revoke();
    clearDashboardStorage(storage);
    h.live.stop();
    expect(storage.length).toBe(1);
  });
});

describe("signedOutElsewhere", () => {
  it("is true when another tab removed the token or cleared storage, false for other changes", () => {
    expect(signedOutElsewhere({ key: TOKEN_STORAGE_KEY, newValue: null })).toBe(true);
    expect(signedOutElsewhere({ key: null, newValue: null })).toBe(true);
    expect(signedOutElsewhere({ key: TOKEN_STORAGE_KEY, newValue: "another-token" })).toBe(false);
    expect(signedOutElsewhere({ key: `${STATE_CACHE_KEY_PREFIX}demo`, newValue: null })).toBe(false);
  });
});
