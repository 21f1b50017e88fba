#!/usr/bin/env node
// The `taskmaster-live` command. The CLI is TypeScript: tsx loads it (no build step).
import { tsImport } from "tsx/esm/api";

const { main } = await tsImport("../src/cli/main.ts", import.meta.url);
process.exitCode = await main(process.argv.slice(2));
