/**
 * fast-check arbitraries shared by the property tests: hostile JSON for the
 * schema boundary, and streams of valid events (with duplicates and
 * out-of-order `occurredAt`) for the channel core and the replay planner.
 */
import fc from "fast-check";
import * as v from "valibot";
import { AGENT_STATUSES, EventSchema, TASK_PRIORITIES, TASK_STATUSES, type HubEvent } from "../../../protocol/index.ts";

/** Runs per property: enough to find the shallow bugs, small enough for `npm test`. */
export const NUM_RUNS = 200;

const T0 = Date.parse("2026-11-01T10:00:00.000Z");

/** Keys that trip naive code: prototype members and their lookalikes. */
const trickyKey = fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf", "events", "id", "type", "data");
const oddNumber = fc.constantFrom(1e308, -1e308, -0, 0, 5e-324, 2 ** 53, 2 ** 53 + 2, -1, 1.5, Number.MAX_SAFE_INTEGER);
const oddString = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.constantFrom("NaN", "Infinity", "-0", "1e308", "\u0000", "\ufeff", "\ud800", "\u202e", "é".repeat(1001), "😀".repeat(501)),
  fc.integer({ min: 0, max: 250_000 }).map((n) => "x".repeat(n)),
);

/** Any value `JSON.parse` can give, with keys and leaves biased towards the hostile ones. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    oddNumber,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    oddString,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.oneof(trickyKey, fc.string()), tie("value"), { maxKeys: 4 }),
  ),
})).value.map(viaJson);

/** `JSON.parse` makes "__proto__" an own key; an object literal would set the prototype instead. */
function viaJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value) ?? "null");
}

/** Objects or arrays nested `depth` levels, built without recursion. */
export const deepNesting = fc.tuple(fc.integer({ min: 1, max: 12_000 }), fc.boolean()).map(([depth, arrays]) => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = arrays ? [value] : { a: value };
  return value;
});

const at = fc.integer({ min: 0, max: 60_000 }).map((ms) => new Date(T0 + ms).toISOString());
const agentId = fc.constantFrom("a1", "a2", "constructor");
const taskId = fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constantFrom("1", "2", "x.1", "toString"));
const tag = fc.constantFrom("master", "feature", "constructor");
const shortText = fc.string({ unit: "binary", maxLength: 20 });

const dataByType = {
  "agent.status": fc.record(
    { agentId, status: fc.constantFrom(...AGENT_STATUSES), name: shortText, taskId: fc.option(fc.constantFrom("1", "2"), { nil: null }), detail: shortText },
    { requiredKeys: ["agentId", "status"] },
  ),
  "agent.heartbeat": fc.record({ agentId }),
  "task.upsert": fc.record(
    {
      tag,
      task: fc.record(
        {
          id: taskId,
          title: shortText,
          status: fc.constantFrom(...TASK_STATUSES),
          priority: fc.constantFrom(...TASK_PRIORITIES),
          dependencies: fc.array(taskId, { maxLength: 3 }),
          metadata: fc.dictionary(fc.oneof(trickyKey, fc.string({ maxLength: 5 })), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }).map(viaJson),
          subtasks: fc.array(fc.record({ id: fc.integer({ min: 1, max: 3 }), title: shortText }, { requiredKeys: ["id"] }), { maxLength: 3 }),
        },
        { requiredKeys: ["id"] },
      ),
    },
    { requiredKeys: ["task"] },
  ),
  "task.progress": fc.record({ tag, taskId, percent: fc.integer({ min: 0, max: 100 }), message: shortText }, { requiredKeys: ["taskId", "percent"] }),
  "task.removed": fc.record({ tag, taskId }, { requiredKeys: ["taskId"] }),
  "health.sample": fc.record({ source: fc.constantFrom("h1", "h2"), cpu: fc.integer({ min: 0, max: 100 }), queueDepth: fc.nat(50) }, { requiredKeys: ["source"] }),
  "project.meta": fc.record({ name: shortText, currentTag: fc.constantFrom("master", "feature") }, { requiredKeys: [] }),
} as const;

type EventType = keyof typeof dataByType;
const EVENT_TYPES = Object.keys(dataByType) as EventType[];

/** One valid event: ids from a small pool so that duplicates happen, `occurredAt` in random order. */
export const validEvent: fc.Arbitrary<HubEvent> = fc
  .constantFrom(...EVENT_TYPES)
  .chain((type) => fc.record({ id: fc.integer({ min: 1, max: 40 }).map((n) => `ev-${n}`), type: fc.constant(type), occurredAt: at, data: dataByType[type] as fc.Arbitrary<unknown> }))
  .map((event) => v.parse(EventSchema, event));

/** Batches of valid events, as successive webhook requests. */
export const eventBatches = fc.array(fc.array(validEvent, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 12 });
