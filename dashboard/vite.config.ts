/**
 * SvelteKit 3 reads its options from the sveltekit() plugin. The dashboard is
 * a single-page app: adapter-static writes `build/index.html` as the fallback
 * that Workers Static Assets serves for every path (not_found_handling =
 * "single-page-application" in wrangler.toml).
 */
import adapter from "@sveltejs/adapter-static";
import { sveltekit } from "@sveltejs/kit/vite";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [
    sveltekit({
      adapter: adapter({ pages: "build", assets: "build", fallback: "index.html", strict: true }),
      // The live view is a client app: the fallback page must load assets from absolute paths at any depth (/c/foo).
      paths: { relative: false },
    }),
  ],
  build: { target: "es2022" },
});
