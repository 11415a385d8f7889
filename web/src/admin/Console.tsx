import { useCallback, useEffect, useState } from "preact/hooks";

import { AuthForm, Spinner, TopBar } from "../shared/components";
import { useSubscription } from "../shared/hooks";
import { useRoute } from "../shared/router";
import { session } from "../shared/session";
import { AccessLog } from "./AccessLog";
import { DeadLetters } from "./DeadLetters";
import { Files } from "./Files";
import { Reports } from "./Reports";
import { Tasks } from "./Tasks";
import { Users } from "./Users";

const SECTIONS = [
  { route: "/users", label: "Users" },
  { route: "/tasks", label: "Tasks" },
  { route: "/dead-letters", label: "Dead letters" },
  { route: "/files", label: "Files" },
  { route: "/access-log", label: "Access log" },
  { route: "/reports", label: "Monthly report" },
];

/** The operators' console: every action is a call of the admin API (recorded by the services
 * in the access log as `admin:<action>` under the admin's id). */
export function Console() {
  const [restored, setRestored] = useState(false);
  useSubscription(useCallback((listener: () => void) => session.subscribe(listener), []));
  useEffect(() => {
    void session.restore().finally(() => setRestored(true));
  }, []);

  if (!restored) return <Spinner label="Loading…" />;
  if (!session.signedIn) {
    return (
      <AuthForm allowRegister={false} heading="ScoreMate admin console">
        <p class="lead">For accounts with the admin role.</p>
      </AuthForm>
    );
  }
  if (!session.roles.includes("admin")) {
    return (
      <main class="auth" id="main">
        <h1>ScoreMate admin console</h1>
        <div class="card">
          <p>This account has no admin role.</p>
          <p class="hint">
            An operator grants it with <code>make admin EMAIL=…</code>; it takes effect at the next sign-in.
          </p>
          <button type="button" onClick={() => void session.logout()}>
            Sign out
          </button>
        </div>
      </main>
    );
  }
  return <Shell />;
}

function Shell() {
  const route = useRoute();
  const path = route.split("?")[0];
  const section = SECTIONS.find((s) => path.startsWith(s.route)) ?? SECTIONS[0];
  return (
    <>
      <TopBar
        brand={<span class="brand">ScoreMate admin</span>}
        navLabel="Console"
        items={SECTIONS}
        current={section.route}
      >
        <a href="/">App</a>
      </TopBar>
      <main id="main" tabIndex={-1}>
        <Section route={route} path={section.route} />
      </main>
    </>
  );
}

function Section({ route, path }: { route: string; path: string }) {
  switch (path) {
    case "/tasks":
      return <Tasks />;
    case "/dead-letters":
      return <DeadLetters />;
    case "/files":
      return <Files route={route} />;
    case "/access-log":
      return <AccessLog route={route} />;
    case "/reports":
      return <Reports />;
    default:
      return <Users />;
  }
}
