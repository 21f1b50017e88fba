/**
 * Who is looking: the dashboard token and the ticket source built on it.
 * Shared by every page through context (see +layout.svelte).
 */
import { getContext, setContext } from "svelte";
import { TicketSource } from "../live/index.ts";
import { forgetToken, readStoredToken, storeToken, tokenFromFragment } from "./token-store.ts";

const SESSION_CONTEXT = Symbol("session");

export class Session {
  #token = $state<string | null>(null);
  #tickets = $state<TicketSource | null>(null);
  readonly baseUrl: string;
  readonly #storage: Storage;

  constructor(baseUrl: string, storage: Storage) {
    this.baseUrl = baseUrl;
    this.#storage = storage;
  }

  /** Takes the token from the fragment (and stores it) or from storage. True when the fragment held one. */
  restore(hash: string): boolean {
    const fromFragment = tokenFromFragment(hash);
    const token = fromFragment ?? readStoredToken(this.#storage);
    if (token) this.logIn(token);
    return fromFragment !== null;
  }

  get token(): string | null {
    return this.#token;
  }

  get tickets(): TicketSource | null {
    return this.#tickets;
  }

  logIn(token: string): void {
    storeToken(this.#storage, token);
    this.#token = token;
    this.#tickets = new TicketSource({ baseUrl: this.baseUrl, token });
  }

  logOut(): void {
    forgetToken(this.#storage);
    this.#token = null;
    this.#tickets = null;
  }
}

export function provideSession(session: Session): void {
  setContext(SESSION_CONTEXT, session);
}

export function useSession(): Session {
  const session = getContext<Session | undefined>(SESSION_CONTEXT);
  if (!session) throw new Error("useSession() outside the root layout");
  return session;
}
