import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";

import { ApiError, call, describe } from "./api";
import { formatBytes } from "./format";
import { session } from "./session";
import type { Usage } from "./types";

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p class="notice notice-error" role="alert">
      {describe(error)}
    </p>
  );
}

interface AuthFormProps {
  /** Offer registration beside sign-in (the app does; the console does not). */
  allowRegister: boolean;
  heading: string;
  children?: ComponentChildren;
}

/** Sign in, or register and then sign in: the tokens end up in `session`. */
export function AuthForm({ allowRegister, heading, children }: AuthFormProps) {
  const [mode, setMode] = useState<"signin" | "register">("signin");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === "register") {
        await call("/auth/register", { method: "POST", body: { email, password }, anonymous: true });
      }
      const response = await session.login(email, password);
      if (!response.ok) {
        const problem = await response.json().catch(() => ({}));
        throw new ApiError(response.status, {
          ...problem,
          detail: response.status === 401 ? "Wrong e-mail or password." : problem.detail,
        });
      }
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  const registering = mode === "register";
  return (
    <main class="auth" id="main">
      <h1>{heading}</h1>
      {children}
      {session.endedBecause && !error ? <p class="notice">{session.endedBecause}</p> : null}
      <form class="card auth-form" onSubmit={submit}>
        <h2>{registering ? "Create an account" : "Sign in"}</h2>
        <label>
          E-mail
          <input
            type="email"
            name="email"
            autocomplete="username"
            required
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </label>
        <label>
          Password
          <input
            type="password"
            name="password"
            autocomplete={registering ? "new-password" : "current-password"}
            minLength={registering ? 8 : undefined}
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        {registering ? <p class="hint">At least 8 characters.</p> : null}
        <ErrorNote error={error} />
        <button type="submit" class="primary" disabled={busy}>
          {registering ? "Create account" : "Sign in"}
        </button>
        {allowRegister ? (
          <p>
            {registering ? "Already have an account? " : "New to ScoreMate? "}
            <button
              type="button"
              class="link"
              onClick={() => {
                setMode(registering ? "signin" : "register");
                setError(null);
              }}
            >
              {registering ? "Sign in" : "Create an account"}
            </button>
          </p>
        ) : null}
      </form>
    </main>
  );
}

interface PagerProps {
  page: number;
  pageSize: number;
  total: number;
  onPage: (page: number) => void;
  label: string;
}

export function Pager({ page, pageSize, total, onPage, label }: PagerProps) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (pages <= 1) return null;
  return (
    <nav class="pager" aria-label={label}>
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous
      </button>
      <span>
        Page {page} of {pages}
      </span>
      <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next
      </button>
    </nav>
  );
}

/** Used against the plan's quota, with the API's 80 % and 95 % warnings. */
export function UsageMeter({ usage, compact = false }: { usage: Usage; compact?: boolean }) {
  const percent = Math.min(100, usage.percent);
  const level = usage.warning === 95 ? "critical" : usage.warning === 80 ? "warning" : "ok";
  return (
    <div class={`usage usage-${level}${compact ? " usage-compact" : ""}`}>
      <label>
        <span class={compact ? "visually-hidden" : ""}>Storage used</span>
        <meter min={0} max={100} low={80} high={95} optimum={0} value={percent}>
          {usage.percent} %
        </meter>
      </label>
      <span class="usage-text">
        {formatBytes(usage.used_bytes)} of {formatBytes(usage.total_bytes)} ({usage.percent.toFixed(0)} %)
      </span>
      {usage.warning && !compact ? (
        <p class="notice notice-warning" role="status">
          {usage.warning === 95
            ? "Over 95 % of your storage is used: new uploads will soon be refused. Delete scores or upgrade your plan."
            : "Over 80 % of your storage is used."}
        </p>
      ) : null}
    </div>
  );
}

export function Spinner({ label }: { label: string }) {
  return (
    <p class="loading" role="status">
      {label}
    </p>
  );
}

export interface NavItem {
  route: string;
  label: string;
}

interface TopBarProps {
  brand: ComponentChildren;
  navLabel: string;
  items: NavItem[];
  current: string;
  children?: ComponentChildren;
}

/** The skip link and the top bar of both pages: brand, section links (the current one marked for
 * assistive technology), whatever the page adds at the end, and Sign out. */
export function TopBar({ brand, navLabel, items, current, children }: TopBarProps) {
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        {brand}
        <nav aria-label={navLabel}>
          <ul>
            {items.map((item) => (
              <li key={item.route}>
                <a href={`#${item.route}`} aria-current={current === item.route ? "page" : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="topbar-end">
          {children}
          <button type="button" onClick={() => void session.logout()}>
            Sign out
          </button>
        </div>
      </header>
    </>
  );
}
