import { describe, expect, it } from "vitest";
import { DEFAULT_CHANNELS_PAGE_SIZE, MAX_CHANNELS_PAGE_SIZE } from "../../../protocol/index.ts";
import { parseChannelPageQuery } from "../../../worker/http/channel-page-query.ts";

describe("parseChannelPageQuery", () => {
  it("defaults to the first page of the default size", () => {
    expect(parseChannelPageQuery(undefined, undefined)).toStrictEqual({ ok: true, query: { limit: DEFAULT_CHANNELS_PAGE_SIZE, after: null } });
    expect(parseChannelPageQuery("", "")).toStrictEqual({ ok: true, query: { limit: DEFAULT_CHANNELS_PAGE_SIZE, after: null } });
  });

  it("takes a digits-only limit from 1 to the maximum, and a channel name as cursor", () => {
    expect(parseChannelPageQuery("1", "alpha.2")).toStrictEqual({ ok: true, query: { limit: 1, after: "alpha.2" } });
    expect(parseChannelPageQuery(String(MAX_CHANNELS_PAGE_SIZE), undefined)).toMatchObject({ ok: true, query: { limit: MAX_CHANNELS_PAGE_SIZE } });
  });

  it.each(["0", String(MAX_CHANNELS_PAGE_SIZE + 1), "0x10", "1e2", "1.5", " 5", "-1", "abc", "99999"])("refuses limit=%j naming the field", (limit) => {
    expect(parseChannelPageQuery(limit, undefined)).toStrictEqual({ ok: false, message: `limit must be an integer from 1 to ${MAX_CHANNELS_PAGE_SIZE}` });
  });

  it.each(["Upper", "-lead", "a/b", "x".repeat(65)])("refuses cursor=%j naming the field", (cursor) => {
    expect(parseChannelPageQuery(undefined, cursor)).toMatchObject({ ok: false, message: expect.stringMatching(/^cursor must be the nextCursor of a previous page/) });
  });
});
