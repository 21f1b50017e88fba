/**
 * Workers Static Assets applies a `_headers` file found in the assets folder
 * (`wrangler dev` too), so the build writes `build/_headers` with the set of
 * protocol/security-headers.ts. It is generated, not a file in `static/`,
 * because the Content-Security-Policy must carry the hash of the page's inline
 * bootstrap script, which changes with every build. SvelteKit's `csp` option
 * (hash mode) puts the same policy into the page as a `<meta>` tag; a meta
 * policy cannot say `frame-ancestors`, the header can.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Plugin } from "vite";
import { securityHeaders } from "../protocol/security-headers.ts";

/** The `sha256-…` source of every inline `<script>` in a page (those without `src`). */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const match of html.matchAll(/<script(\s[^>]*)?>([\s\S]*?)<\/script>/gi)) {
    if (/\ssrc\s*=/i.test(match[1] ?? "")) continue;
    hashes.push(`sha256-${createHash("sha256").update(match[2] ?? "", "utf8").digest("base64")}`);
  }
  return hashes;
}

/**
 * The `_headers` file: every header on every path. `_headers` rules cannot
 * tell https from http, so HSTS is always in: browsers ignore it over http.
 */
export function headersFile(scriptHashes: readonly string[]): string {
  const lines = Object.entries(securityHeaders({ scriptHashes, https: true })).map(([name, value]) => `  ${name}: ${value}`);
  return ["# Generated from protocol/security-headers.ts by dashboard/headers-file.ts on every build.", "/*", ...lines, ""].join("\n");
}

/**
 * Writes `<buildDir>/_headers` from the built page. Fails the build when
 * SvelteKit's meta policy misses an inline script's hash: the page would not start.
 */
export function writeHeadersFile(buildDir: string): void {
  const page = join(buildDir, "index.html");
  const html = readFileSync(page, "utf8");
  const hashes = inlineScriptHashes(html);
  const meta = /<meta http-equiv="content-security-policy" content="([^"]*)"/i.exec(html)?.[1] ?? "";
  const missing = hashes.filter((hash) => !meta.includes(`'${hash}'`));
  if (hashes.length === 0 || missing.length > 0) {
    throw new Error(`security headers: ${page} has ${hashes.length} inline script(s), ${missing.length} of them not in its CSP meta tag`);
  }
  writeFileSync(join(buildDir, "_headers"), headersFile(hashes));
}

/** Runs after the adapter (a `buildApp` hook ordered after SvelteKit's own, which writes the build). */
export function headersFilePlugin(buildDir: string): Plugin {
  return {
    name: "taskmaster-live-headers-file",
    apply: "build",
    buildApp: { order: "post", handler: async () => writeHeadersFile(buildDir) },
  };
}
