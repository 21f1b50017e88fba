#!/usr/bin/env node
// Builds the packaged CLI (npm pack's prepack): bridge/src + protocol/ and their
// runtime dependencies (valibot, the MCP SDK) bundled into dist/ as plain
// JavaScript, so the tarball installs anywhere with no dependencies and no
// TypeScript loader. The MCP server is its own chunk: the hook, run on every
// tool use, never loads the SDK.
import { readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const { version } = JSON.parse(readFileSync(here("./package.json"), "utf8"));

rmSync(here("./dist"), { recursive: true, force: true });
await build({
  entryPoints: { "taskmaster-live": here("./src/cli/run.ts") },
  outdir: here("./dist"),
  outExtension: { ".js": ".mjs" },
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node22",
  minifySyntax: true,
  minifyWhitespace: true,
  define: { __TASKMASTER_LIVE_VERSION__: JSON.stringify(version) },
  // Some bundled CommonJS dependencies call require() for Node's own modules.
  banner: { js: `#!/usr/bin/env node\nimport { createRequire as __tmlCreateRequire } from "node:module";\nconst require = __tmlCreateRequire(import.meta.url);` },
  logLevel: "warning",
});
console.log(`built taskmaster-live ${version} into bridge/dist/`);
