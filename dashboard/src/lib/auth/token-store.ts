/**
 * The dashboard token lives in localStorage, so a viewer types it once. A
 * `#token=<DASHBOARD_TOKEN>` fragment logs in from a link (the fragment never
 * reaches a server log); the caller then removes it from the address bar.
 */
export const TOKEN_STORAGE_KEY = "taskmaster-live.token";

/** The token in a URL fragment like `#token=abc`, or null. */
export function tokenFromFragment(hash: string): string | null {
  const fragment = hash.startsWith("#") ? hash.slice(1) : hash;
  if (!fragment) return null;
  const token = new URLSearchParams(fragment).get("token")?.trim();
  return token ? token : null;
}

export function readStoredToken(storage: Storage): string | null {
  try {
    return storage.getItem(TOKEN_STORAGE_KEY);
  } catch {
    // Storage can be disabled (private mode, policies): the viewer just types the token again.
    return null;
  }
}

export function storeToken(storage: Storage, token: string): void {
  try {
    storage.setItem(TOKEN_STORAGE_KEY, token);
  } catch {
    // See readStoredToken.
  }
}
