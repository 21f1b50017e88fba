/**
 * Hostile query parameters on the REST reads: numeric ones are digits only.
 * Each is a 400 naming the parameter, reaches no object, and the channel keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloseCode, MAX_LONG_POLL_SECONDS, Paths } from "../../../protocol/index.ts";
import { expectError } from "../support/http-expect.ts";
import { hub, uniqueChannel } from "../support/hub.ts";
import { SocketProbe } from "../support/socket-probe.ts";
import { expectNeverCreated, openTarget, refusedWithoutTrace, type Target } from "./hostile-support.ts";

const WAIT_RULE = `wait must be whole seconds from 0 to ${MAX_LONG_POLL_SECONDS}, digits only`;
const SINCE_RULE = "since must be a non-negative integer seq";

let target: Target;
let ticket: string;
beforeAll(async () => {
  target = await openTarget("hostile-query");
  ticket = await hub.ticket();
});
afterAll(() => SocketProbe.closeAll());

const CASES: [query: string, message: string][] = [
  ["since=0&epoch=e&wait=0x10", WAIT_RULE],
  ["since=0&epoch=e&wait=1e1", WAIT_RULE],
  ["since=0&epoch=e&wait=1.5", WAIT_RULE],
  ["since=0&epoch=e&wait=%205", WAIT_RULE],
  ["since=0&epoch=e&wait=-1", WAIT_RULE],
  ["since=0&epoch=e&wait=26", WAIT_RULE],
  ["since=1e3&epoch=e", SINCE_RULE],
  ["since=-1&epoch=e", SINCE_RULE],
  ["since=0x10&epoch=e", SINCE_RULE],
  [`since=${"9".repeat(20)}&epoch=e`, SINCE_RULE],
];

describe("hostile query parameters", () => {
  it.each(CASES)("deltas?%s is a 400 naming the parameter", async (query, message) => {
    await refusedWithoutTrace(target, async () => {
      await expectError(await hub.get(`${Paths.deltas(target.channel)}?${query}`, ticket), 400, { code: "bad_request", message });
    });
  });

  it("an unknown metrics format is a 400; prometheus and json are not", async () => {
    await refusedWithoutTrace(target, async () => {
      for (const format of ["xml", "PROMETHEUS", ""]) {
        await expectError(await hub.get(`${Paths.metrics(target.channel)}?format=${format}`, ticket), 400, { code: "bad_request", message: "format must be json or prometheus" });
      }
    });
    expect((await hub.get(`${Paths.metrics(target.channel)}?format=json`, ticket)).status).toBe(200);
  });

  it.each(["1e3", "-1", "0x10", "9".repeat(20), " 5"])("a socket with since=%s is closed 4400 with an error frame naming since", async (since) => {
    await refusedWithoutTrace(target, async () => {
      const socket = await SocketProbe.open(target.channel, { ticket, since, epoch: "e" });
      expect((await socket.waitForClose()).code).toBe(CloseCode.PROTOCOL_ERROR);
      expect(socket.frames).toContainEqual(expect.objectContaining({ type: "error", code: "bad_request", message: SINCE_RULE }));
    });
  });

  it("a refused query on an unknown channel creates nothing", async () => {
    const stranger = uniqueChannel("hostile-query-new");
    for (const [query, message] of CASES) await expectError(await hub.get(`${Paths.deltas(stranger)}?${query}`, ticket), 400, { code: "bad_request", message });
    await expectError(await hub.get(`${Paths.metrics(stranger)}?format=xml`, ticket), 400, { code: "bad_request", message: "format must be json or prometheus" });
    await expectNeverCreated(stranger);
  });
});
