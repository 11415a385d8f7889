import { useCallback, useEffect, useState } from "preact/hooks";

import { AuthForm, Spinner, TopBar, UsageMeter } from "../shared/components";
import { useSubscription } from "../shared/hooks";
import { match, useRoute } from "../shared/router";
import { session } from "../shared/session";
import { Account } from "./Account";
import { Library } from "./Library";
import { live } from "./live";
import { ScorePage } from "./ScorePage";
import { SetlistPage } from "./SetlistPage";
import { Setlists } from "./Setlists";
import { uploads } from "./uploads";
import { usageStore } from "./usage";
import { VerifyEmail } from "./VerifyEmail";

export function App() {
  const [restored, setRestored] = useState(false);
  useSubscription(useCallback((listener: () => void) => session.subscribe(listener), []));
  useEffect(() => {
    void session.restore().finally(() => setRestored(true));
  }, []);

  // The link in the verification e-mail (auth's EMAIL_VERIFICATION_LINK) opens this page.
  if (window.location.pathname === "/verify-email") return <VerifyEmail />;
  if (!restored) return <Spinner label="Loading…" />;
  if (!session.signedIn) {
    return (
      <AuthForm allowRegister heading="ScoreMate">
        <p class="lead">Your sheet music, on every device.</p>
      </AuthForm>
    );
  }
  return <Shell />;
}

const NAV = [
  { route: "/", label: "Library" },
  { route: "/setlists", label: "Setlists" },
  { route: "/account", label: "Account" },
];

function Shell() {
  const route = useRoute();
  useSubscription(usageStore.subscribe);

  useEffect(() => {
    live.start();
    void usageStore.refresh();
    return () => {
      live.stop();
      uploads.reset();
    };
  }, []);

  const section = route === "/" || route.startsWith("/scores") ? "/" : `/${route.split("/")[1]}`;
  return (
    <>
      <TopBar
        brand={
          <a class="brand" href="#/">
            ScoreMate
          </a>
        }
        navLabel="Main"
        items={NAV}
        current={section}
      >
        {usageStore.usage ? <UsageMeter usage={usageStore.usage} compact /> : null}
      </TopBar>
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </>
  );
}

function Page({ route }: { route: string }) {
  let params: Record<string, string> | null;
  if ((params = match("/scores/:id", route))) return <ScorePage key={params.id} id={params.id} />;
  if ((params = match("/setlists/:id", route))) return <SetlistPage key={params.id} id={params.id} />;
  if (match("/setlists", route)) return <Setlists />;
  if (match("/account", route)) return <Account />;
  if (route === "/" || route === "") return <Library />;
  return (
    <section>
      <h1>Not found</h1>
      <p>
        Nothing lives at this address. <a href="#/">Back to the library</a>
      </p>
    </section>
  );
}
