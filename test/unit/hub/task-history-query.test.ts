import { describe, expect, it } from "vitest";
import { DEFAULT_TASK_HISTORY_LIMIT, MAX_TASK_HISTORY_LIMIT } from "../../../protocol/index.ts";
import { parseTaskHistoryQuery } from "../../../worker/http/task-history-query.ts";

const base = { tag: "master", id: "1", before: undefined, limit: undefined };

describe("parseTaskHistoryQuery", () => {
  it("reads absent or empty before/limit as the newest page of the default size, like the other numeric parameters", () => {
    const first = { ok: true, query: { tag: "master", id: "1", before: undefined, limit: DEFAULT_TASK_HISTORY_LIMIT } };
    expect(parseTaskHistoryQuery(base)).toStrictEqual(first);
    expect(parseTaskHistoryQuery({ ...base, before: "", limit: "" })).toStrictEqual(first);
  });

  it("takes digits within range", () => {
    expect(parseTaskHistoryQuery({ ...base, before: "42", limit: String(MAX_TASK_HISTORY_LIMIT) })).toMatchObject({ ok: true, query: { before: 42, limit: MAX_TASK_HISTORY_LIMIT } });
  });

  it.each([
    ["before", "0"],
    ["before", "1e3"],
    ["before", "9".repeat(17)],
    ["limit", "0"],
    ["limit", String(MAX_TASK_HISTORY_LIMIT + 1)],
    ["limit", "0005"],
    ["limit", "+5"],
  ])("refuses %s=%j naming the field", (field, raw) => {
    expect(parseTaskHistoryQuery({ ...base, [field]: raw })).toMatchObject({ ok: false, field });
  });
});
