/**
 * Records what the real `task-master next --format json` (task-master-ai
 * 0.43.1, offline, telemetry off) answers for generated projects, as
 * test/fixtures/next-task/project-<seed>.json. The unit test
 * test/unit/dashboard/next-task-parity.test.ts holds the dashboard's
 * next-task function to these answers.
 *
 *   npx tsx scripts/record-next-fixtures.ts [--count 60] [--first-seed 1] [--parallel 2] [--clean]
 *
 * It writes the file of each seed it runs; `--clean` first removes every
 * recorded project (after a change to the generator). Each CLI call takes
 * seconds, so at most `--parallel` run at once.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT } from "../dev/dev-server.ts";
import { generateProject, offlineTaskMasterEnv, runTaskMasterNext, writeProject, type NextFixture } from "../dev/next-task-projects.ts";

const OUT_DIR = join(ROOT, "test/fixtures/next-task");

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "60" },
    "first-seed": { type: "string", default: "1" },
    parallel: { type: "string", default: "2" },
    clean: { type: "boolean", default: false },
  },
});
const count = Number(values.count);
const firstSeed = Number(values["first-seed"]);
const parallel = Math.max(1, Number(values.parallel));
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(firstSeed) || !Number.isInteger(parallel)) {
  console.error("usage: npx tsx scripts/record-next-fixtures.ts [--count N] [--first-seed N] [--parallel N] [--clean]");
  process.exit(2);
}

const home = mkdtempSync(join(tmpdir(), "tml-next-home-"));
const env = offlineTaskMasterEnv(home);

async function record(seed: number): Promise<NextFixture> {
  const project = generateProject(seed);
  const dir = writeProject(project);
  try {
    const queries: NextFixture["queries"] = [];
    for (const tag of [null, ...project.alsoAsk]) queries.push({ tag, expected: await runTaskMasterNext(dir, env, tag) });
    return { seed, tasksFile: project.tasksFile, currentTag: project.currentTag, queries };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

mkdirSync(OUT_DIR, { recursive: true });
if (values.clean) for (const name of readdirSync(OUT_DIR)) if (/^project-\d+\.json$/.test(name)) rmSync(join(OUT_DIR, name));

const seeds = Array.from({ length: count }, (_, i) => firstSeed + i);
const started = Date.now();
let done = 0;
let found = 0;
let calls = 0;
try {
  const workers = Array.from({ length: parallel }, async () => {
    for (let seed = seeds.shift(); seed !== undefined; seed = seeds.shift()) {
      const fixture = await record(seed);
      writeFileSync(join(OUT_DIR, `project-${String(seed).padStart(3, "0")}.json`), JSON.stringify(fixture, null, 2) + "\n");
      done++;
      calls += fixture.queries.length;
      found += fixture.queries.filter((q) => q.expected.found).length;
      console.log(`seed ${seed}: ${fixture.queries.map((q) => `${q.expected.tag} → ${q.expected.id ?? "none"}`).join(", ")} (${done}/${count})`);
    }
  });
  await Promise.all(workers);
} finally {
  rmSync(home, { recursive: true, force: true });
}
console.log(`${count} projects, ${calls} CLI answers (${found} name a task, ${calls - found} name none) in ${Math.round((Date.now() - started) / 1000)} s`);
