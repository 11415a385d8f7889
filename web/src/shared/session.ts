// Who is signed in. The access token lives in memory only (a script that reads storage never
// sees it); the refresh token in sessionStorage, so a reload of this tab stays signed in while
// other tabs and a reopened browser do not share it: refresh tokens are single-use (docs/API.md),
// and two tabs refreshing one token at once would count as re-use and end the login.

export interface Tokens {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
}

interface Claims {
  sub?: string;
  roles?: string[];
  exp?: number;
}

const REFRESH_KEY = "scoremate.refresh_token";
// Refresh this long before the access token expires (a fraction of its lifetime, at least 5 s).
const REFRESH_AHEAD = 0.2;

function readStored(): string | null {
  try {
    return sessionStorage.getItem(REFRESH_KEY);
  } catch {
    return null;
  }
}

function store(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(REFRESH_KEY, token);
    else sessionStorage.removeItem(REFRESH_KEY);
  } catch {
    // No storage (a locked-down browser): the login lasts as long as the page.
  }
}

function claimsOf(token: string): Claims {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload)) as Claims;
  } catch {
    return {};
  }
}

async function postTokens(path: string, body: unknown): Promise<Response> {
  return fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
    credentials: "omit",
  });
}

type Listener = () => void;

export class Session {
  private access: string | null = null;
  private claims: Claims = {};
  private timer: number | undefined;
  private refreshing: Promise<boolean> | null = null;
  private listeners = new Set<Listener>();
  /** Why the last session ended without the person asking (shown on the sign-in form). */
  endedBecause: string | null = null;

  get signedIn(): boolean {
    return this.access !== null;
  }

  get userId(): string | null {
    return this.claims.sub ?? null;
  }

  get roles(): string[] {
    return this.claims.roles ?? [];
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  /** After a reload: trade the stored refresh token for a fresh pair, if there is one. */
  async restore(): Promise<boolean> {
    if (this.signedIn) return true;
    return readStored() ? this.refresh() : false;
  }

  async login(email: string, password: string): Promise<Response> {
    const response = await postTokens("/auth/login", { email, password });
    if (response.ok) this.accept((await response.json()) as Tokens);
    return response;
  }

  /** The current access token; refreshed first when it is about to expire. */
  async accessToken(): Promise<string | null> {
    const exp = this.claims.exp;
    if (this.access && exp && exp * 1000 - Date.now() < 5000) await this.refresh();
    return this.access;
  }

  /** One refresh at a time: callers arriving meanwhile share its outcome. */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    const refreshToken = readStored();
    if (!refreshToken) return false;
    let response: Response;
    try {
      response = await postTokens("/auth/refresh", { refresh_token: refreshToken });
    } catch {
      // Offline for a moment: keep the refresh token and try again later.
      this.schedule(10);
      return false;
    }
    if (response.ok) {
      this.accept((await response.json()) as Tokens);
      return true;
    }
    if (response.status === 401) {
      this.end("Your session has ended; please sign in again.");
    } else {
      this.schedule(10);
    }
    return false;
  }

  /** A call was refused even after a refresh. */
  expired(): void {
    if (this.signedIn) this.end("Your session has ended; please sign in again.");
  }

  async logout(): Promise<void> {
    const refreshToken = readStored();
    this.end(null);
    if (refreshToken) {
      // Always 204; the refresh token is the credential, so no access token is needed.
      await postTokens("/auth/logout", { refresh_token: refreshToken }).catch(() => undefined);
    }
  }

  private accept(tokens: Tokens): void {
    this.access = tokens.access_token;
    this.claims = claimsOf(tokens.access_token);
    this.endedBecause = null;
    store(tokens.refresh_token);
    this.schedule(Math.max(5, tokens.expires_in * (1 - REFRESH_AHEAD)));
    this.notify();
  }

  private schedule(seconds: number): void {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.refresh(), seconds * 1000);
  }

  private end(reason: string | null): void {
    window.clearTimeout(this.timer);
    const was = this.signedIn;
    this.access = null;
    this.claims = {};
    this.endedBecause = reason;
    store(null);
    if (was || reason) this.notify();
  }
}

export const session = new Session();
