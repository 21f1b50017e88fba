/**
 * What signing out forgets from the browser's storage: every key the
 * dashboard wrote (the token, each channel's cached state), found by their
 * common prefix so a key added later is forgotten too.
 */
import { TOKEN_STORAGE_KEY } from "./token-store.ts";

/** Every key the dashboard writes starts with this (test/unit/dashboard/sign-out.test.ts holds the token's and the cache's to it). */
export const DASHBOARD_STORAGE_PREFIX = "taskmaster-live.";

/** The keys of `storage` that belong to the dashboard. */
function dashboardStorageKeys(storage: Storage): string[] {
  const keys: string[] = [];
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i);
    if (key?.startsWith(DASHBOARD_STORAGE_PREFIX)) keys.push(key);
  }
  return keys;
}

/**
 * Removes every dashboard key from `storage`, other sites' keys stay. Never
 * throws: disabled storage holds nothing to clear. Returns how many went.
 */
export function clearDashboardStorage(storage: Storage): number {
  try {
    // Listed first: removing while walking by index would skip the key after each removed one.
    const keys = dashboardStorageKeys(storage);
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
