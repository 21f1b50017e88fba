/**
 * The benchmark's child processes: each runs in its own process group (so a
 * stop also ends what it spawned, e.g. workerd) and answers requests over
 * IPC. Every request and every stop has a timeout; whatever is still alive
 * when this process exits is killed with SIGKILL.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const STOP_TIMEOUT_MS = 30_000;
const EXIT_TIMEOUT_MS = 5_000;

interface Reply {
  readonly replyTo: number;
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: string;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) killGroup(child, "SIGKILL");
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

/** What every child answers besides its own commands (see serve). */
type ControlCommand = { readonly cmd: "ping" } | { readonly cmd: "stop" };

export class Child<C extends { readonly cmd: string }> {
  #next = 1;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #exited: Promise<void>;

  private constructor(
    readonly name: string,
    readonly proc: ChildProcess,
  ) {
    running.add(proc);
    this.#exited = new Promise((resolve) =>
      proc.once("exit", (code, signal) => {
        running.delete(proc);
        for (const { reject } of this.#pending.values()) reject(new Error(`${name} exited (${signal ?? code}) before it answered`));
        this.#pending.clear();
        resolve();
      }),
    );
    proc.on("message", (message: Reply) => {
      const pending = this.#pending.get(message.replyTo);
      if (!pending) return;
      this.#pending.delete(message.replyTo);
      if (message.ok) pending.resolve(message.value);
      else pending.reject(new Error(`${name}: ${message.error}`));
    });
  }

  /** Forks `script` (a file next to this one) under tsx, in its own process group. */
  static start<C extends { readonly cmd: string }>(name: string, script: string, args: string[] = []): Child<C> {
    const child = fork(fileURLToPath(new URL(script, import.meta.url)), args, {
      execArgv: ["--import", "tsx"],
      detached: true,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    });
    return new Child<C>(name, child);
  }

  request<T>(command: C | ControlCommand, timeoutMs: number): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${this.name}: no answer to ${String(command.cmd)} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value as T)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      this.proc.send({ ...command, id });
    });
  }

  /** Asks the child to stop (it cleans up, answers, exits), then kills its whole group: SIGKILL if it lingers, and what it spawned may outlive it. */
  async stop(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      await this.request({ cmd: "stop" }, STOP_TIMEOUT_MS).catch(() => undefined);
      await Promise.race([this.#exited, new Promise<void>((resolve) => setTimeout(resolve, EXIT_TIMEOUT_MS).unref())]);
    }
    killGroup(this.proc, "SIGKILL");
  }
}

/** In a child: answers each request with the handler's value or error; `ping` answers once the child is loaded; `stop` runs `onStop` then exits. */
export function serve<C extends { readonly cmd: string }>(handler: (command: C) => Promise<unknown>, onStop: () => Promise<void> = async () => undefined): void {
  const stop = async (code: number) => {
    await onStop().catch(() => undefined);
    process.exit(code);
  };
  // The parent sends only the commands this child declares (C); IPC carries them untyped.
  process.on("message", (command: C & { readonly id: number }) => {
    if (command.cmd === "stop") {
      void onStop()
        .catch(() => undefined)
        .then(() => process.send?.({ replyTo: command.id, ok: true }, () => process.exit(0)));
      return;
    }
    (command.cmd === "ping" ? Promise.resolve(true) : handler(command)).then(
      (value) => process.send?.({ replyTo: command.id, ok: true, value }),
      (error: unknown) => process.send?.({ replyTo: command.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  // The parent is gone (crashed or killed): do not outlive it.
  process.once("disconnect", () => void stop(1));
  process.once("SIGTERM", () => void stop(0));
}
