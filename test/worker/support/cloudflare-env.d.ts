// Types `env` and `exports` of "cloudflare:workers" inside the worker tests.
import type { Env as HubEnv } from "../../../worker/env.ts";

declare global {
  namespace Cloudflare {
    interface Env extends HubEnv {}
    interface GlobalProps {
      mainModule: typeof import("../../../worker/index.ts");
      durableNamespaces: "ChannelObject" | "DirectoryObject" | "ViewerShard";
    }
  }
}
