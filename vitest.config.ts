import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { TEST_SECRETS } from "./dev/secrets.ts";

// Offline quiet: no metrics, no request.cf fetch, in every project.
process.env.WRANGLER_SEND_METRICS = "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";

export default defineConfig({
  test: {
    // Three files at a time, even on 2 cores: the slow files (real CLI, wrangler dev, Miniflare) mostly wait.
    // Every file starts its own hub on its own ports. The browser project runs last, one file at a time and
    // with nothing beside it (vitest runs projects without file parallelism after the others): its
    // dashboard-load test measures Chromium's main thread, which other files on the same 2 cores would skew.
    maxWorkers: 3,
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
          // The property tests run 200 cases each: a few seconds on a quiet machine, more beside the slow suites.
          testTimeout: 30_000,
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              // A small connection cap so the worker tests can reach it (test/worker/connection-limit.test.ts).
              // Twice the default ingest rate: the retention test posts 10,500 events in one go (test/worker/rate-limits.test.ts).
              // SHARD_SIZE 4: a channel's fifth socket goes to a viewer shard, so every socket test with more viewers covers shards too.
              bindings: { ...TEST_SECRETS, AGENT_TTL_SECONDS: "60", MAX_CONNECTIONS_PER_CHANNEL: "8", INGEST_EVENTS_PER_SECOND: "2000", SHARD_SIZE: "4" },
            },
          }),
        ],
        test: {
          name: "worker",
          include: ["test/worker/**/*.test.ts"],
        },
      },
      {
        // A hub deployed without its secrets: every route that needs one answers 503 not_configured.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: { WEBHOOK_SECRET: "", DASHBOARD_TOKEN: "" } },
          }),
        ],
        test: {
          name: "worker-unconfigured",
          include: ["test/worker-unconfigured/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          // test/chaos: CI size here; `npm run test:chaos` sets CHAOS_SIZE=full. The test sets its own timeout from the size.
          name: "chaos",
          include: ["test/chaos/**/*.test.ts"],
          environment: "node",
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          // test/shards: 300 viewers over viewer shards (SHARD_SIZE=50) in one Miniflare process, a shard evicted mid-stream.
          name: "shards",
          include: ["test/shards/**/*.test.ts"],
          environment: "node",
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "bridge",
          include: ["test/bridge/**/*.test.ts"],
          environment: "node",
          testTimeout: 240_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
