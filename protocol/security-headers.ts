/**
 * The security headers of every response (README "Security headers"): one
 * set, read by the dashboard build (which writes it into the assets'
 * `_headers` file, dashboard/headers-file.ts) and by the Worker's hono
 * middleware (worker/http/security-headers.ts), so a page and the API it
 * calls can never disagree.
 */

/** A `sha256-<base64>` source. */
export type CspHash = `sha256-${string}`;

/** The sources the policy uses; literal types keep the directives assignable to SvelteKit's `kit.csp` type. */
type CspSource = "self" | "none" | "data:" | "unsafe-hashes" | CspHash;

/**
 * The Content-Security-Policy, in SvelteKit's `kit.csp` notation (keywords
 * unquoted). Hash mode adds the hash of the page's inline bootstrap script to
 * script-src; nothing is ever allowed by 'unsafe-inline'.
 */
export const CSP_DIRECTIVES = {
  "default-src": ["self"],
  "script-src": ["self"],
  // Svelte's `style:` directives and uPlot set styles through the CSSOM (element.style), which CSP does not
  // govern; the one style attribute in markup is SvelteKit's route announcer, allowed by its hash (below).
  "style-src": ["self"],
  "img-src": ["self", "data:"],
  // 'self' matches ws:/wss: on the page's own host too (CSP Level 3); the hub's host is only known at deploy
  // time. test/browser/security.test.ts proves the live WebSocket raises no violation.
  "connect-src": ["self"],
  "object-src": ["none"],
  "base-uri": ["none"],
  "form-action": ["self"],
  "frame-ancestors": ["none"],
} satisfies Record<string, CspSource[]>;

export interface CspHashes {
  /** Hashes of the page's inline scripts (SvelteKit's bootstrap); none for API responses. */
  readonly scriptHashes?: readonly string[];
  /**
   * Hashes of style attribute values the page's own markup carries (SvelteKit's
   * route announcer), allowed one by one through 'unsafe-hashes'; none for API responses.
   */
  readonly styleAttributeHashes?: readonly CspHash[];
}

/** The directives in `kit.csp` notation, with `style-src-attr` when style attributes are hashed (kit adds script hashes itself). */
export function cspDirectives(hashes: Pick<CspHashes, "styleAttributeHashes"> = {}): typeof CSP_DIRECTIVES & { "style-src-attr"?: CspSource[] } {
  const styleAttributes = hashes.styleAttributeHashes ?? [];
  return styleAttributes.length === 0 ? CSP_DIRECTIVES : { ...CSP_DIRECTIVES, "style-src-attr": ["unsafe-hashes", ...styleAttributes] };
}

/** Browser features the dashboard never uses, all denied (only names Chromium knows: it warns about others). */
const DENIED_FEATURES = [
  "accelerometer",
  "autoplay",
  "camera",
  "display-capture",
  "encrypted-media",
  "fullscreen",
  "geolocation",
  "gyroscope",
  "hid",
  "idle-detection",
  "magnetometer",
  "microphone",
  "midi",
  "payment",
  "picture-in-picture",
  "publickey-credentials-get",
  "screen-wake-lock",
  "serial",
  "usb",
  "xr-spatial-tracking",
];

/** Every header but the CSP (which carries the build's script hashes) and HSTS (https only). */
export const STATIC_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  // Tickets travel in WebSocket URLs and login links carry `#token=`: no URL of the dashboard leaves it.
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Permissions-Policy": DENIED_FEATURES.map((feature) => `${feature}=()`).join(", "),
  "Cross-Origin-Opener-Policy": "same-origin",
};

/** One year, the common floor of the HSTS preload lists; no includeSubDomains: the hub does not own its siblings. */
export const STRICT_TRANSPORT_SECURITY = "max-age=31536000";

const CSP_KEYWORDS = new Set(["self", "none", "unsafe-inline", "unsafe-eval", "unsafe-hashes", "strict-dynamic"]);

function cspSource(source: string): string {
  return CSP_KEYWORDS.has(source) || /^sha(256|384|512)-/.test(source) ? `'${source}'` : source;
}

/** The policy as a header value; script hashes join script-src. */
export function contentSecurityPolicy(hashes: CspHashes = {}): string {
  const base = cspDirectives(hashes);
  const directives: Record<string, readonly string[]> = { ...base, "script-src": [...base["script-src"], ...(hashes.scriptHashes ?? [])] };
  return Object.entries(directives)
    .map(([name, sources]) => [name, ...sources.map(cspSource)].join(" "))
    .join("; ");
}

export interface SecurityHeaderOptions extends CspHashes {
  /** Adds Strict-Transport-Security (browsers ignore it over plain http anyway, RFC 6797 §8.1). */
  readonly https: boolean;
}

/** The whole set, in the order a reader expects: policy first. */
export function securityHeaders(options: SecurityHeaderOptions): Record<string, string> {
  return {
    "Content-Security-Policy": contentSecurityPolicy(options),
    ...STATIC_SECURITY_HEADERS,
    ...(options.https ? { "Strict-Transport-Security": STRICT_TRANSPORT_SECURITY } : {}),
  };
}
