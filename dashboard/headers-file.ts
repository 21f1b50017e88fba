/**
 * Workers Static Assets applies a `_headers` file found in the assets folder
 * (`wrangler dev` too), so the build writes `build/_headers` with the set of
 * protocol/security-headers.ts. It is generated, not a file in `static/`,
 * because the Content-Security-Policy must carry the hash of the page's inline
 * bootstrap script, which changes with every build. SvelteKit's `csp` option
 * (hash mode) puts the same policy into the page as a `<meta>` tag; a meta
 * policy cannot say `frame-ancestors`, the header can.
 *
 * SvelteKit's route announcer is the one element with a style attribute
 * (kit's root component, not ours to change): its exact value is allowed by
 * hash ('unsafe-hashes'), and the build fails if any other appears.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Plugin } from "vite";
import { securityHeaders, type CspHash } from "../protocol/security-headers.ts";

function sha256Source(text: string): CspHash {
  return `sha256-${createHash("sha256").update(text, "utf8").digest("base64")}`;
}

/** The `sha256-…` source of every inline `<script>` in a page (those without `src`). */
export function inlineScriptHashes(html: string): CspHash[] {
  const hashes: CspHash[] = [];
  for (const match of html.matchAll(/<script(\s[^>]*)?>([\s\S]*?)<\/script>/gi)) {
    if (/\ssrc\s*=/i.test(match[1] ?? "")) continue;
    hashes.push(sha256Source(match[2] ?? ""));
  }
  return hashes;
}

/** The hash of every `style="…"` attribute written in markup (a page, a component, or a template string in built code). */
export function styleAttributeHashes(markup: string): CspHash[] {
  return [...markup.matchAll(/\sstyle="([^"]*)"/g)].map((match) => sha256Source(match[1] ?? ""));
}

/** The style attributes of SvelteKit's own root component (the route announcer), read from the installed kit. */
export function kitStyleAttributeHashes(): CspHash[] {
  const kitRoot = dirname(createRequire(import.meta.url).resolve("@sveltejs/kit/package.json"));
  return styleAttributeHashes(readFileSync(join(kitRoot, "src/runtime/components/root.svelte"), "utf8"));
}

function builtScripts(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".js"))
    .map((file) => join(dir, file));
}

/**
 * The `_headers` file: every header on every path. `_headers` rules cannot
 * tell https from http, so HSTS is always in: browsers ignore it over http.
 */
export function headersFile(scriptHashes: readonly CspHash[], styleAttributes: readonly CspHash[] = []): string {
  const lines = Object.entries(securityHeaders({ scriptHashes, styleAttributeHashes: styleAttributes, https: true })).map(([name, value]) => `  ${name}: ${value}`);
  return ["# Generated from protocol/security-headers.ts by dashboard/headers-file.ts on every build.", "/*", ...lines, ""].join("\n");
}

/**
 * Writes `<buildDir>/_headers` from the built page. Fails the build when the
 * page would break under its policy: SvelteKit's meta policy misses an inline
 * script's hash, or a style attribute in the page or the built code is not
 * one of `allowedStyleAttributes`.
 */
export function writeHeadersFile(buildDir: string, allowedStyleAttributes: readonly CspHash[] = []): void {
  const page = join(buildDir, "index.html");
  const html = readFileSync(page, "utf8");
  const hashes = inlineScriptHashes(html);
  const meta = /<meta http-equiv="content-security-policy" content="([^"]*)"/i.exec(html)?.[1] ?? "";
  const missing = hashes.filter((hash) => !meta.includes(`'${hash}'`));
  if (hashes.length === 0 || missing.length > 0) {
    throw new Error(`security headers: ${page} has ${hashes.length} inline script(s), ${missing.length} of them not in its CSP meta tag`);
  }
  for (const file of [page, ...builtScripts(buildDir)]) {
    const blocked = styleAttributeHashes(readFileSync(file, "utf8")).filter((hash) => !allowedStyleAttributes.includes(hash));
    if (blocked.length > 0) {
      throw new Error(`security headers: ${file} writes ${blocked.length} style attribute(s) the CSP blocks; use a class or a style: directive`);
    }
  }
  writeFileSync(join(buildDir, "_headers"), headersFile(hashes, allowedStyleAttributes));
}

/** Runs after the adapter (a `buildApp` hook ordered after SvelteKit's own, which writes the build). */
export function headersFilePlugin(buildDir: string, allowedStyleAttributes: readonly CspHash[]): Plugin {
  return {
    name: "taskmaster-live-headers-file",
    apply: "build",
    buildApp: { order: "post", handler: async () => writeHeadersFile(buildDir, allowedStyleAttributes) },
  };
}
