/**
 * A record schema that keeps every own key. valibot's `record` silently drops
 * the keys "constructor" and "prototype", but those are valid agent ids, tags,
 * task ids and health sources (see `ownEntry`): a parsed state must keep them.
 */
import * as v from "valibot";

export function ownRecord<TValue extends v.GenericSchema>(value: TValue) {
  return v.pipe(
    // Any non-null object, as valibot's `record` accepts.
    v.custom<Readonly<Record<string, unknown>>>((input) => typeof input === "object" && input !== null, "must be an object"),
    v.rawTransform<Readonly<Record<string, unknown>>, Record<string, v.InferOutput<TValue>>>(({ dataset, addIssue, NEVER }) => {
      const entries: [string, v.InferOutput<TValue>][] = [];
      for (const [key, item] of Object.entries(dataset.value)) {
        const result = v.safeParse(value, item);
        if (!result.success) {
          const at: v.ObjectPathItem = { type: "object", origin: "value", input: dataset.value, key, value: item };
          for (const issue of result.issues) addIssue({ message: issue.message, path: [at, ...(issue.path ?? [])] });
          return NEVER;
        }
        entries.push([key, result.output]);
      }
      // fromEntries defines own properties, so even "__proto__" stays a plain key.
      return Object.fromEntries(entries);
    }),
  );
}
