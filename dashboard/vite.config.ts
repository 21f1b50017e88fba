/**
 * SvelteKit 3 reads its options from the sveltekit() plugin. The dashboard is
 * a single-page app: adapter-static writes `build/index.html` as the fallback
 * that Workers Static Assets serves for every path (not_found_handling =
 * "single-page-application" in wrangler.toml).
 */
import adapter from "@sveltejs/adapter-static";
import { sveltekit } from "@sveltejs/kit/vite";
import { defineConfig } from "vite";
import { cspDirectives } from "../protocol/security-headers.ts";
import { headersFilePlugin, kitStyleAttributeHashes } from "./headers-file.ts";

const BUILD_DIR = "build";
/** SvelteKit's route announcer has the app's one style attribute; the policy allows exactly its value. */
const STYLE_ATTRIBUTE_HASHES = kitStyleAttributeHashes();

export default defineConfig({
  plugins: [
    sveltekit({
      adapter: adapter({ pages: BUILD_DIR, assets: BUILD_DIR, fallback: "index.html", strict: true }),
      // The live view is a client app: the fallback page must load assets from absolute paths at any depth (/c/foo).
      paths: { relative: false },
      // Hash mode: the page's inline bootstrap script is allowed by its hash, never by 'unsafe-inline'.
      csp: { mode: "hash", directives: cspDirectives({ styleAttributeHashes: STYLE_ATTRIBUTE_HASHES }) },
    }),
    headersFilePlugin(new URL(BUILD_DIR, import.meta.url).pathname, STYLE_ATTRIBUTE_HASHES),
  ],
  build: { target: "es2022" },
});
