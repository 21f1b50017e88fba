import { describe, expect, it } from "vitest";
import type { TaskHistoryItem } from "../../../protocol/index.ts";
import type { ActivityEntry } from "../../../dashboard/src/lib/live/index.ts";
import { renderMarkdown } from "../../../dashboard/src/lib/view/markdown.ts";
import { describeEntry, entriesAbout, liveCoversSince, liveHistoryItems, timelineEntries } from "../../../dashboard/src/lib/view/task-timeline.ts";

describe("task text as Markdown", () => {
  it("renders Markdown", () => {
    expect(renderMarkdown("Use **hono** and `vitest`\n\n- one\n- two")).toBe("<p>Use <strong>hono</strong> and <code>vitest</code></p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n");
  });

  it("shows raw HTML as text: no script, no img, no handler attribute", () => {
    const html = renderMarkdown('<script>window.pwned = 1</script> <img src=x onerror="window.pwned = 1">');
    expect(html).not.toMatch(/<script|<img/);
    expect(html).toContain("&lt;script&gt;");
    expect(html).toContain("&lt;img src=x onerror=&quot;window.pwned = 1&quot;&gt;");
  });

  it("keeps only http(s) and mailto links, opened without the page", () => {
    expect(renderMarkdown("[a](https://example.com/x)")).toBe('<p><a href="https://example.com/x" rel="noopener noreferrer" target="_blank">a</a></p>\n');
    expect(renderMarkdown("[m](mailto:dev@example.com)")).toContain('href="mailto:dev@example.com"');
    for (const bad of ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<b>x</b>", "vbscript:x", "/relative"]) {
      expect(renderMarkdown(`[x](${bad})`)).not.toContain("<a ");
    }
    expect(renderMarkdown("see https://example.com")).toContain('<a href="https://example.com" rel="noopener noreferrer" target="_blank">');
  });

  it("loads no image", () => {
    expect(renderMarkdown("![pixel](https://tracker.example/p.gif)")).not.toContain("<img");
  });
});

const at = (s: number) => `2026-11-29T12:00:${String(s).padStart(2, "0")}.000Z`;
const setTask: TaskHistoryItem = {
  seq: 3,
  at: at(3),
  cause: { type: "task.upsert", id: "e1" },
  changes: [{ kind: "task", op: "set", tag: "master", key: "2", value: { id: "2", tag: "master", status: "pending", dependencies: [], updatedAt: at(3), subtasks: [{ id: "2.1", status: "pending", dependencies: [] }] } }],
};
const started: TaskHistoryItem = { seq: 5, at: at(5), changes: [{ kind: "task", op: "patch", tag: "master", key: "2", value: { status: "in-progress", updatedAt: at(5) } }] };
const progress: TaskHistoryItem = { seq: 7, at: at(7), changes: [{ kind: "task", op: "patch", tag: "master", key: "2", value: { progress: { percent: 40, message: "halfway", at: at(7) }, updatedAt: at(7) } }] };
const subDone: TaskHistoryItem = {
  seq: 9,
  at: at(9),
  changes: [{ kind: "task", op: "patch", tag: "master", key: "2", value: { subtasks: [{ id: "2.1", status: "done", dependencies: [] }, { id: "2.2", status: "pending", dependencies: [] }], priority: "high", updatedAt: at(9) } }],
};

describe("task timeline", () => {
  it("turns history into status, progress and subtask entries, newest first", () => {
    const entries = timelineEntries([subDone, progress, started, setTask]);
    expect(entries.map((e) => [e.seq, e.subject, describeEntry(e)])).toStrictEqual([
      [9, "2", "Updated priority"],
      [9, "2.2", "Added as pending"],
      [9, "2.1", "pending → done"],
      [7, "2", "Progress 40% (halfway)"],
      [5, "2", "pending → in-progress"],
      [3, "2", "Added as pending"],
    ]);
    expect(entriesAbout(entries, "2.1").map((e) => e.seq)).toStrictEqual([9]);
  });

  it("names the agents the hub links to the task, and says when none is left", () => {
    const linked: TaskHistoryItem = { seq: 6, at: at(6), changes: [{ kind: "task", op: "patch", tag: "master", key: "2", value: { agents: ["claude-code:1", "coder"] } }] };
    const unlinked: TaskHistoryItem = { seq: 8, at: at(8), changes: [{ kind: "task", op: "patch", tag: "master", key: "2", value: { agents: [] } }] };
    expect(timelineEntries([unlinked, linked]).map((e) => [e.seq, describeEntry(e)])).toStrictEqual([
      [8, "No agent on it"],
      [6, "Worked on by claude-code:1, coder"],
    ]);
  });

  it("does not invent a previous status it never saw, and drops repeated items", () => {
    const entries = timelineEntries([subDone, started, started]);
    expect(entries.map(describeEntry)).toStrictEqual(["Updated priority", "Status → in-progress"]);
  });

  it("reads live deltas as history items of one task", () => {
    const live: ActivityEntry[] = [
      { seq: 11, atIso: at(11), changes: [{ kind: "task", op: "remove", tag: "master", key: "2" }, { kind: "task", op: "remove", tag: "master", key: "3" }] },
      { seq: 10, atIso: at(10), changes: [{ kind: "agent", op: "patch", key: "a", value: { status: "idle" } }] },
    ];
    expect(liveHistoryItems(live, "master", "2")).toStrictEqual([{ seq: 11, at: at(11), changes: [{ kind: "task", op: "remove", tag: "master", key: "2" }] }]);
    expect(timelineEntries([...liveHistoryItems(live, "master", "2"), setTask]).map(describeEntry)).toStrictEqual(["Removed", "Added as pending"]);
  });

  it("knows when the live deltas leave a hole after the loaded history", () => {
    const live = [12, 11, 10].map((seq): ActivityEntry => ({ seq, atIso: at(seq), changes: [] }));
    expect(liveCoversSince(live, 9, 12)).toBe(true);
    expect(liveCoversSince(live, 8, 12)).toBe(false);
    expect(liveCoversSince([], 12, 12)).toBe(true);
  });
});
