/**
 * Who is looking: the dashboard token, the ticket source built on it and the
 * cache of channel states, all three belonging to one sign-in. Shared by
 * every page through context (see +layout.svelte).
 */
import { getContext, setContext } from "svelte";
import { TicketSource, browserStateCache, revocableStateCache, type StateCache } from "../live/index.ts";
import { clearDashboardStorage } from "./sign-out.ts";
import { readStoredToken, storeToken, tokenFromFragment } from "./token-store.ts";

const SESSION_CONTEXT = Symbol("session");

export class Session {
  #token = $state<string | null>(null);
  #tickets = $state<TicketSource | null>(null);
  #stateCache = $state.raw<(StateCache & { revoke(): void }) | null>(null);
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

  /** Where live views keep their channels' states; null when signed out. */
  get stateCache(): StateCache | null {
    return this.#stateCache;
  }

  logIn(token: string): void {
    storeToken(this.#storage, token);
    this.#stateCache = revocableStateCache(browserStateCache(this.#storage));
    this.#token = token;
    this.#tickets = new TicketSource({ baseUrl: this.baseUrl, token });
  }

  /**
   * Signs out: forgets the token, every cached channel state and every
   * ticket. The pages showing live channels unmount (the layout shows the
   * sign-in form), which closes their connections; their last cache write
   * lands on the revoked cache, so storage stays empty.
   */
  logOut(): void {
    this.#stateCache?.revoke();
    this.#stateCache = null;
    this.#tickets?.invalidate();
    this.#tickets = null;
    this.#token = null;
    clearDashboardStorage(this.#storage);
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
