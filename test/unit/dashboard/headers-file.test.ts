import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { headersFile, inlineScriptHashes, kitStyleAttributeHashes, styleAttributeHashes, writeHeadersFile } from "../../../dashboard/headers-file.ts";
import { contentSecurityPolicy, cspDirectives, securityHeaders, type CspHash } from "../../../protocol/security-headers.ts";

const BOOTSTRAP = "\n\t\t\t\t{ __sveltekit_x = { base: \"\" }; import(\"/_app/start.js\"); }\n\t\t\t";
const BOOTSTRAP_HASH: CspHash = `sha256-${createHash("sha256").update(BOOTSTRAP).digest("base64")}`;
const ANNOUNCER_STYLE = "position: absolute; left: 0; top: 0; width: 1px; height: 1px";
const ANNOUNCER_HASH: CspHash = `sha256-${createHash("sha256").update(ANNOUNCER_STYLE).digest("base64")}`;

function page(metaPolicy: string): string {
  return [
    "<!doctype html><html><head>",
    `<meta http-equiv="content-security-policy" content="${metaPolicy}">`,
    '<script type="module" src="/_app/entry.js"></script>',
    "</head><body>",
    `<div class="app-root"><script>${BOOTSTRAP}</script></div>`,
    "</body></html>",
  ].join("\n");
}

/** A build folder with this page and one built chunk holding this code. */
function buildDirWith(html: string, chunk = "export const x = 1;"): string {
  const dir = mkdtempSync(join(tmpdir(), "headers-file-"));
  writeFileSync(join(dir, "index.html"), html);
  mkdirSync(join(dir, "_app/immutable/chunks"), { recursive: true });
  writeFileSync(join(dir, "_app/immutable/chunks/root.js"), chunk);
  return dir;
}

const ANNOUNCER_CHUNK = `var t = h(\`<div id="svelte-announcer" aria-live="assertive" style="${ANNOUNCER_STYLE}"><!></div>\`);`;

describe("contentSecurityPolicy", () => {
  it("quotes keywords and hashes, adds hashes to script-src only, and allows nothing inline", () => {
    const policy = contentSecurityPolicy({ scriptHashes: ["sha256-abc="] });
    expect(policy.split("; ")).toEqual([
      "default-src 'self'",
      "script-src 'self' 'sha256-abc='",
      "style-src 'self'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ]);
    expect(contentSecurityPolicy()).toContain("script-src 'self';");
    expect(policy).not.toContain("unsafe");
  });

  it("allows hashed style attributes one by one, and none when there are none", () => {
    expect(contentSecurityPolicy({ styleAttributeHashes: [ANNOUNCER_HASH] })).toMatch(new RegExp(`; style-src-attr 'unsafe-hashes' '${ANNOUNCER_HASH.replace(/[+/=]/g, "\\$&")}'$`));
    expect(contentSecurityPolicy()).not.toContain("style-src-attr");
    expect(cspDirectives({ styleAttributeHashes: [ANNOUNCER_HASH] })["style-src-attr"]).toEqual(["unsafe-hashes", ANNOUNCER_HASH]);
  });

  it("adds Strict-Transport-Security only when told the request is https", () => {
    expect(securityHeaders({ https: false })).not.toHaveProperty("Strict-Transport-Security");
    expect(securityHeaders({ https: true })["Strict-Transport-Security"]).toMatch(/^max-age=\d+$/);
    expect(securityHeaders({ https: false })).toMatchObject({
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "no-referrer",
      "X-Frame-Options": "DENY",
      "Cross-Origin-Opener-Policy": "same-origin",
    });
    expect(securityHeaders({ https: false })["Permissions-Policy"]).toMatch(/(^|, )camera=\(\)(, |$)/);
  });
});

describe("the _headers file", () => {
  it("hashes inline scripts only, and style attribute values, byte for byte", () => {
    expect(inlineScriptHashes(page(""))).toEqual([BOOTSTRAP_HASH]);
    expect(styleAttributeHashes(ANNOUNCER_CHUNK)).toEqual([ANNOUNCER_HASH]);
    expect(styleAttributeHashes('<p data-style="x" class="y">')).toEqual([]);
  });

  it("finds the style attribute of SvelteKit's route announcer in the installed kit", () => {
    expect(kitStyleAttributeHashes()).toHaveLength(1);
  });

  it("writes every header for every path, with the page's script hash and the allowed style attributes", () => {
    const dir = buildDirWith(page(`script-src 'self' '${BOOTSTRAP_HASH}'`), ANNOUNCER_CHUNK);
    writeHeadersFile(dir, [ANNOUNCER_HASH]);
    const text = readFileSync(join(dir, "_headers"), "utf8");
    expect(text).toBe(headersFile([BOOTSTRAP_HASH], [ANNOUNCER_HASH]));
    const lines = text.split("\n");
    expect(lines[1]).toBe("/*");
    expect(lines).toContain(`  Content-Security-Policy: ${contentSecurityPolicy({ scriptHashes: [BOOTSTRAP_HASH], styleAttributeHashes: [ANNOUNCER_HASH] })}`);
    expect(lines).toContain("  X-Frame-Options: DENY");
    expect(lines.filter((line) => line.startsWith("  ")).length).toBe(Object.keys(securityHeaders({ https: true })).length);
  });

  it("fails the build when the page's meta policy misses a script's hash (the page would not start)", () => {
    expect(() => writeHeadersFile(buildDirWith(page("script-src 'self'")))).toThrow(/1 inline script\(s\), 1 of them not in its CSP meta tag/);
    expect(() => writeHeadersFile(buildDirWith("<html><body>no bootstrap</body></html>"))).toThrow(/0 inline script/);
  });

  it("fails the build when the page or the built code writes a style attribute the policy does not allow", () => {
    const meta = `script-src 'self' '${BOOTSTRAP_HASH}'`;
    expect(() => writeHeadersFile(buildDirWith(page(meta), ANNOUNCER_CHUNK))).toThrow(/root\.js writes 1 style attribute\(s\) the CSP blocks/);
    expect(() => writeHeadersFile(buildDirWith(page(meta).replace('class="app-root"', 'style="display: contents"')), [])).toThrow(/index\.html writes 1 style attribute/);
    expect(() => writeHeadersFile(buildDirWith(page(meta), ANNOUNCER_CHUNK), [ANNOUNCER_HASH])).not.toThrow();
  });
});
