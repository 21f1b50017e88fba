/**
 * The packaged bin's entry (bridge/build.mjs bundles from here). It turns on
 * Node's compile cache before the CLI's code loads, so a hook, started on
 * every tool use, skips compiling the bundle after its first run.
 */
import module from "node:module";

module.enableCompileCache?.();
const { main } = await import("./main.ts");
process.exitCode = await main(process.argv.slice(2));
