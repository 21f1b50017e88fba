/** How the Worker and the channels reach the one directory object. */
import type { Env } from "../env.ts";

const DIRECTORY_NAME = "directory";

export function directoryStub(env: Env) {
  return env.DIRECTORY.get(env.DIRECTORY.idFromName(DIRECTORY_NAME));
}
