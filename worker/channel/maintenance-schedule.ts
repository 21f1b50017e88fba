/**
 * When each maintenance step of the alarm is next due. The alarm runs every
 * COALESCE_MS while conflated updates are held; without this it would trim
 * the log and read every socket's ticket expiry ten times a second. Periodic
 * steps (trim, purge) run once per interval; `tickets` runs when the earliest
 * known ticket expiry is reached. A step never run since the object woke is
 * due at once (its state was not kept).
 */
export type PeriodicStep = "trim" | "purge";
export type MaintenanceStep = PeriodicStep | "tickets";

export class MaintenanceSchedule {
  readonly #intervalMs: number;
  readonly #dueAtMs = new Map<MaintenanceStep, number | null>();

  constructor(intervalMs: number) {
    this.#intervalMs = intervalMs;
  }

  /** Steps due at `nowMs` (a step not run since the object woke is due). */
  due(nowMs: number): Set<MaintenanceStep> {
    const steps = new Set<MaintenanceStep>();
    for (const step of ["trim", "purge", "tickets"] as const) {
      const at = this.#dueAtMs.get(step);
      if (at === undefined || (at !== null && at <= nowMs)) steps.add(step);
    }
    return steps;
  }

  /** A periodic step ran: due again one interval later. */
  ran(step: PeriodicStep, nowMs: number): void {
    this.#dueAtMs.set(step, nowMs + this.#intervalMs);
  }

  /** The ticket check ran: due at the earliest expiry it found (null: no socket, nothing due). */
  ticketsRan(nextExpiryMs: number | null): void {
    this.#dueAtMs.set("tickets", nextExpiryMs);
  }

  /** A socket with this ticket expiry joined (or renewed): the check is due by then at the latest. */
  ticketExpiresAt(atMs: number): void {
    const at = this.#dueAtMs.get("tickets");
    if (at === null || (at !== undefined && atMs < at)) this.#dueAtMs.set("tickets", atMs);
  }

  /** When the ticket check is next due: null for never, undefined when it has not run since the object woke. */
  ticketsDueAtMs(): number | null | undefined {
    return this.#dueAtMs.get("tickets");
  }
}
