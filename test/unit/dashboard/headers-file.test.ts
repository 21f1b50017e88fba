import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { headersFile, inlineScriptHashes, writeHeadersFile } from "../../../dashboard/headers-file.ts";
import { contentSecurityPolicy, securityHeaders } from "../../../protocol/security-headers.ts";

const BOOTSTRAP = "\n\t\t\t\t{ __sveltekit_x = { base: \"\" }; import(\"/_app/start.js\"); }\n\t\t\t";
const BOOTSTRAP_HASH = `sha256-${createHash("sha256").update(BOOTSTRAP).digest("base64")}`;

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

function buildDirWith(html: string): string {
  const dir = mkdtempSync(join(tmpdir(), "headers-file-"));
  writeFileSync(join(dir, "index.html"), html);
  return dir;
}

describe("contentSecurityPolicy", () => {
  it("quotes keywords and hashes, adds hashes to script-src only, and allows nothing inline", () => {
    const policy = contentSecurityPolicy(["sha256-abc="]);
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
  it("hashes inline scripts only, byte for byte", () => {
    expect(inlineScriptHashes(page(""))).toEqual([BOOTSTRAP_HASH]);
  });

  it("writes every header for every path, with the page's script hash", () => {
    const dir = buildDirWith(page(`script-src 'self' '${BOOTSTRAP_HASH}'`));
    writeHeadersFile(dir);
    const text = readFileSync(join(dir, "_headers"), "utf8");
    expect(text).toBe(headersFile([BOOTSTRAP_HASH]));
    const lines = text.split("\n");
    expect(lines[1]).toBe("/*");
    expect(lines).toContain(`  Content-Security-Policy: ${contentSecurityPolicy([BOOTSTRAP_HASH])}`);
    expect(lines).toContain("  X-Frame-Options: DENY");
    expect(lines.filter((line) => line.startsWith("  ")).length).toBe(Object.keys(securityHeaders({ https: true })).length);
  });

  it("fails the build when the page's meta policy misses a script's hash (the page would not start)", () => {
    expect(() => writeHeadersFile(buildDirWith(page("script-src 'self'")))).toThrow(/1 inline script\(s\), 1 of them not in its CSP meta tag/);
    expect(() => writeHeadersFile(buildDirWith("<html><body>no bootstrap</body></html>"))).toThrow(/0 inline script/);
  });
});
