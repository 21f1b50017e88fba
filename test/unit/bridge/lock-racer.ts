/**
 * A second process for the lock race in instance-lock.test.ts: on each
 * "acquire" message it tries the lock and answers whether it won; on
 * "release" it lets go of what it holds.
 */
import { acquireInstanceLock } from "../../../bridge/src/files/instance-lock.ts";

type Command = { readonly kind: "acquire"; readonly file: string } | { readonly kind: "release" } | { readonly kind: "exit" };

let release: (() => Promise<void>) | null = null;

process.on("message", (command: Command) => {
  void (async () => {
    if (command.kind === "acquire") {
      try {
        release = await acquireInstanceLock(command.file);
        process.send?.({ won: true });
      } catch (error) {
        process.send?.({ won: false, error: (error as Error).name });
      }
    } else if (command.kind === "release") {
      await release?.();
      release = null;
      process.send?.({ released: true });
    } else {
      process.disconnect();
    }
  })();
});
process.send?.({ ready: true });
