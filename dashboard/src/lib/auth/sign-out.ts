/**
 * What signing out forgets from the browser's storage: every key the
 * dashboard wrote (the token, each channel's cached state), found by their
 * common prefix so a key added later is forgotten too.
 */
import { keysStartingWith } from "../live/index.ts";
import { TOKEN_STORAGE_KEY } from "./token-store.ts";

/** Every key the dashboard writes starts with this (test/unit/dashboard/sign-out.test.ts holds the token's and the cache's to it). */
export const DASHBOARD_STORAGE_PREFIX = "taskmaster-live.";

/**
 * Removes every dashboard key from `storage`; other keys of the origin stay. Never
 * throws: disabled storage holds nothing to clear. Returns how many went.
 */
export function clearDashboardStorage(storage: Storage): number {
  try {
    const keys = keysStartingWith(storage, DASHBOARD_STORAGE_PREFIX);
    for (const key of keys) storage.removeItem(key);
    return keys.length;
  } catch {
    return 0;
  }
}

/**
 * True when a `storage` event from another tab of this origin means that tab
 * signed out (it removed the token, or cleared all of storage): this tab must
 * sign out too, or it would keep writing channel states back.
 */
export function signedOutElsewhere(event: { readonly key: string | null; readonly newValue: string | null }): boolean {
  return event.key === null || (event.key === TOKEN_STORAGE_KEY && event.newValue === null);
}
