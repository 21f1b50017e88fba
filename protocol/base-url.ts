/** A hub base URL as users type it ("http://host:8787/") made ready for `base + Paths.x`. */
export function trimBaseUrl(url: string): string {
  return url.replace(/\/+$/, "");
}
