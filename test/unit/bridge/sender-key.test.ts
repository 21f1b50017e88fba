import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deriveChannelKey, standardWebhooksSecret } from "../../../protocol/index.ts";
import { ConfigError } from "../../../bridge/src/config.ts";
import { channelKeyOf, parseChannelKey, senderCredential } from "../../../bridge/src/sender-key.ts";

const ROOT = "bridge-root-secret";
const folder = mkdtempSync(join(tmpdir(), "sender-key-"));

function keyFile(name: string, text: string): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

describe("parseChannelKey", () => {
  it("takes the hex key (any case, surrounding whitespace) and its whsec_ form", async () => {
    const key = await deriveChannelKey(ROOT, "my-project");
    expect(parseChannelKey(key, "k")).toBe(key);
    expect(parseChannelKey(` ${key.toUpperCase()}\n`, "k")).toBe(key);
    expect(parseChannelKey(standardWebhooksSecret(key), "k")).toBe(key);
  });

  it.each(["", "abc", "g".repeat(64), "a".repeat(63), "whsec_", "whsec_!!!", `whsec_${Buffer.from("short").toString("base64")}`])("refuses %j, naming the source", (text) => {
    expect(() => parseChannelKey(text, "TASKMASTER_LIVE_KEY")).toThrow(
      new ConfigError("TASKMASTER_LIVE_KEY is not a channel key: expected 64 hex digits or whsec_<base64>, as `npm run channel-key -- <channel>` prints"),
    );
  });
});

describe("senderCredential", () => {
  it("derives the channel's key from the root secret, per channel", async () => {
    const credential = senderCredential({}, { WEBHOOK_SECRET: ROOT });
    expect(credential).toStrictEqual({ rootSecret: ROOT });
    expect(await channelKeyOf(credential, "a")).toBe(await deriveChannelKey(ROOT, "a"));
    expect(await channelKeyOf(credential, "b")).toBe(await deriveChannelKey(ROOT, "b"));
  });

  it("takes a channel key from TASKMASTER_LIVE_KEY or a file, and uses it as given", async () => {
    const key = await deriveChannelKey(ROOT, "a");
    expect(senderCredential({}, { TASKMASTER_LIVE_KEY: standardWebhooksSecret(key) })).toStrictEqual({ channelKey: key });
    const path = keyFile("a.key", `${key}\n`);
    expect(senderCredential({}, { TASKMASTER_LIVE_KEY_FILE: path })).toStrictEqual({ channelKey: key });
    expect(senderCredential({ keyFile: path }, {})).toStrictEqual({ channelKey: key });
    expect(await channelKeyOf({ channelKey: key }, "any")).toBe(key);
  });

  it("options win over the environment; in each, a key wins over a file, a file over the root secret", async () => {
    const a = await deriveChannelKey(ROOT, "a");
    const b = await deriveChannelKey(ROOT, "b");
    const fileB = keyFile("b.key", b);
    const env = { TASKMASTER_LIVE_KEY: a, TASKMASTER_LIVE_KEY_FILE: fileB, WEBHOOK_SECRET: ROOT };
    expect(senderCredential({ secret: "explicit" }, env)).toStrictEqual({ rootSecret: "explicit" });
    expect(senderCredential({ keyFile: fileB, secret: "explicit" }, env)).toStrictEqual({ channelKey: b });
    expect(senderCredential({ key: a, keyFile: fileB }, env)).toStrictEqual({ channelKey: a });
    expect(senderCredential({}, env)).toStrictEqual({ channelKey: a });
    expect(senderCredential({}, { TASKMASTER_LIVE_KEY_FILE: fileB, WEBHOOK_SECRET: ROOT })).toStrictEqual({ channelKey: b });
  });

  it("says what to set when nothing is given (empty values count as nothing)", () => {
    expect(() => senderCredential({}, { WEBHOOK_SECRET: "", TASKMASTER_LIVE_KEY: "" })).toThrow(/^no sender key: set TASKMASTER_LIVE_KEY \(the channel's key, from `npm run channel-key -- <channel>`\), TASKMASTER_LIVE_KEY_FILE \(a file holding it\) or WEBHOOK_SECRET \(the hub's secret\), or pass --key-file$/);
  });

  it("names a key file it cannot read or that holds no key", () => {
    const missing = join(folder, "missing.key");
    expect(() => senderCredential({}, { TASKMASTER_LIVE_KEY_FILE: missing })).toThrow(new RegExp(`^TASKMASTER_LIVE_KEY_FILE ${missing} cannot be read: ENOENT`));
    const wrong = keyFile("wrong.key", "the root secret, by mistake");
    expect(() => senderCredential({ keyFile: wrong }, {})).toThrow(`--key-file ${wrong} is not a channel key`);
  });
});
