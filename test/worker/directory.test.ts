/**
 * The directory: paged in name order, filtered by the ticket, and pruned of
 * channels that no longer exist by its alarm.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_CHANNELS_PAGE_SIZE, Paths, type ChannelsResponse } from "../../protocol/index.ts";
import { PRUNE_QUIET_AFTER_MS, type DirectoryObject } from "../../worker/directory/directory-object.ts";
import { directoryStub } from "../../worker/directory/directory-stub.ts";
import { ev } from "../../dev/events.ts";
import { expectError } from "./support/http-expect.ts";
import { channelStorage, hub, listChannels, send, uniqueChannel } from "./support/hub.ts";
import { settle } from "./support/socket-probe.ts";

let TICKET = "";
beforeAll(async () => {
  TICKET = await hub.viewerTicket();
});

async function page(query: string, ticket = TICKET): Promise<ChannelsResponse> {
  const res = await hub.get(`${Paths.channels}?${query}`, ticket);
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

async function listed(channels: string[]): Promise<void> {
  for (let i = 0; i < 100 && !(await listChannels(TICKET)).some((c) => c.channel === channels.at(-1)); i++) await settle(20);
}

describe("GET /api/channels paging", () => {
  it("pages in name order with nextCursor, without repeats or gaps; the last page has nextCursor null", async () => {
    const prefix = uniqueChannel("page");
    const names = [0, 1, 2, 3, 4].map((i) => `${prefix}-${i}`);
    for (const name of names) await send(name, ev.meta({ name }));
    await listed(names);
    const ticket = await hub.ticket(names);
    const seen: string[] = [];
    let cursor = "";
    let pages = 0;
    for (;;) {
      const body = await page(`limit=2&cursor=${cursor}`, ticket);
      expect(body.channels.length).toBeLessThanOrEqual(2);
      seen.push(...body.channels.map((c) => c.channel));
      pages++;
      if (body.nextCursor === null) break;
      cursor = body.nextCursor;
    }
    expect(seen).toStrictEqual(names);
    expect(pages).toBe(3);
    // No limit: the first page of the default size, and the answer keeps its old field.
    expect((await page("", ticket)).channels.map((c) => c.channel)).toStrictEqual(names);
  });

  it("400 naming the field for a bad limit or cursor", async () => {
    for (const limit of ["0", String(MAX_CHANNELS_PAGE_SIZE + 1), "0x10", "1e2"]) {
      await expectError(await hub.get(`${Paths.channels}?limit=${limit}`, TICKET), 400, { code: "bad_request", message: `limit must be an integer from 1 to ${MAX_CHANNELS_PAGE_SIZE}` });
    }
    await expectError(await hub.get(`${Paths.channels}?cursor=Not_A_Name`, TICKET), 400, { code: "bad_request", message: /^cursor must be the nextCursor of a previous page/ });
  });
});

describe("pruning", () => {
  it("the alarm drops quiet entries whose channel does not exist and keeps those that do", async () => {
    const live = uniqueChannel("prune-live");
    await send(live, ev.meta({ name: "live" }));
    await listed([live]);
    const ghost = uniqueChannel("prune-ghost");
    // An entry as a directory from before "reads never write" holds it: listed, but no channel behind it.
    const longAgoMs = Date.now() - PRUNE_QUIET_AFTER_MS - 1000;
    await directoryStub(env).report({ channel: ghost, epoch: "e", head: 0, connections: 0, lastActivityAt: null, reportedAtMs: longAgoMs });
    await runInDurableObject(directoryStub(env), (_i: DirectoryObject, state) => {
      state.storage.sql.exec("UPDATE channels SET reported_at = ? WHERE channel IN (?, ?)", longAgoMs, ghost, live);
    });
    expect((await listChannels(TICKET)).map((c) => c.channel)).toEqual(expect.arrayContaining([ghost, live]));

    expect(await runDurableObjectAlarm(directoryStub(env))).toBe(true);
    const after = (await listChannels(TICKET)).map((c) => c.channel);
    expect(after).toContain(live);
    expect(after).not.toContain(ghost);
    // Asking the ghost's object whether it exists wrote nothing there.
    expect((await channelStorage(ghost)).tables).toStrictEqual([]);
  });
});
