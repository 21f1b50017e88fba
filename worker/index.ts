import { createApp } from "./http/app.ts";
import type { Env } from "./env.ts";

export { ChannelObject } from "./channel/channel-object.ts";
export { DirectoryObject } from "./directory/directory-object.ts";
export { ViewerShard } from "./shard/viewer-shard.ts";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
