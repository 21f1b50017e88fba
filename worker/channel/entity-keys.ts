/**
 * Every event touches exactly one entity. Its key names it in the version
 * table (conflict resolution, tombstones) and in storage.
 */
export type EntityRef =
  | { readonly kind: "agent"; readonly id: string }
  | { readonly kind: "task"; readonly tag: string; readonly id: string }
  | { readonly kind: "health"; readonly source: string }
  | { readonly kind: "meta" }
  /** The last `project.sync` (its version makes an older one stale). */
  | { readonly kind: "sync" };

/** Tags and task ids cannot contain "/", and each kind has its own prefix, so keys cannot collide. */
export function entityKey(ref: EntityRef): string {
  switch (ref.kind) {
    case "agent":
      return `agent/${ref.id}`;
    case "task":
      return `task/${ref.tag}/${ref.id}`;
    case "health":
      return `health/${ref.source}`;
    case "meta":
      return "meta";
    case "sync":
      return "sync";
  }
}
