import { afterAll, beforeAll, expect, it } from "vitest";
import { DevServer } from "../../dev/dev-server.ts";
import { HubClient } from "../../dev/hub-client.ts";
import { ev } from "../../dev/events.ts";

let server: DevServer;
beforeAll(async () => {
  server = await DevServer.start();
});
afterAll(async () => {
  await server?.stop();
});

it("keeps storage across a restart", async () => {
  const hub = new HubClient(server.url);
  await hub.send("restart", [ev.meta({ name: "x" })]);
  await server.restart();
  const snap = await hub.snapshot("restart");
  expect(snap.seq).toBe(1);
  expect(snap.state.meta.name).toBe("x");
});
