import { describe, expect, it } from "vitest";
import { checkSecretList } from "../../../scripts/deploy-check.ts";

const PUT_WEBHOOK = "  npx wrangler secret put WEBHOOK_SECRET     # e.g. openssl rand -hex 32";
const PUT_TOKEN = "  npx wrangler secret put DASHBOARD_TOKEN     # e.g. openssl rand -hex 32";
const secret = (name: string) => ({ name, type: "secret_text" });

describe("checkSecretList", () => {
  it("lets a Worker with both secrets (and others) deploy", () => {
    expect(checkSecretList(JSON.stringify([secret("TICKET_SECRET"), secret("DASHBOARD_TOKEN"), secret("WEBHOOK_SECRET")]))).toStrictEqual({ ok: true });
  });

  it("names the one secret that is missing", () => {
    expect(checkSecretList(JSON.stringify([secret("DASHBOARD_TOKEN")]))).toStrictEqual({
      ok: false,
      message: `the Worker has no WEBHOOK_SECRET: without it the hub answers 503 not_configured. Set it first:\n${PUT_WEBHOOK}`,
    });
  });

  it("names both when neither is set", () => {
    expect(checkSecretList("[]")).toStrictEqual({
      ok: false,
      message: `the Worker has no WEBHOOK_SECRET and no DASHBOARD_TOKEN: without them the hub answers 503 not_configured. Set them first:\n${PUT_WEBHOOK}\n${PUT_TOKEN}`,
    });
  });

  it("refuses when wrangler's answer cannot be read (not logged in, no Worker yet)", () => {
    for (const output of ["", "✘ [ERROR] This Worker does not exist", "{not json"]) {
      const check = checkSecretList(output);
      expect(check.ok).toBe(false);
      expect(!check.ok && check.message).toBe(`could not read the Worker's secrets (is wrangler logged in, and the Worker created?); set them first:\n${PUT_WEBHOOK}\n${PUT_TOKEN}`);
    }
  });

  it("does not take an object or odd entries for a list", () => {
    expect(checkSecretList(JSON.stringify({ WEBHOOK_SECRET: 1, DASHBOARD_TOKEN: 1 })).ok).toBe(false);
    expect(checkSecretList(JSON.stringify([null, 3, { name: 5 }, secret("WEBHOOK_SECRET")])).ok).toBe(false);
  });
});
