import { useEffect, useState } from "preact/hooks";

import { call, describe } from "../shared/api";

/** Confirms the address with the token of the e-mailed link (no sign-in needed). */
export function VerifyEmail() {
  const [state, setState] = useState<"working" | "done" | "failed">("working");
  const [message, setMessage] = useState("");
  useEffect(() => {
    const token = new URLSearchParams(window.location.search).get("token") ?? "";
    call("/auth/verify-email", { method: "POST", body: { token }, anonymous: true }).then(
      () => setState("done"),
      (error) => {
        setState("failed");
        setMessage(describe(error));
      },
    );
  }, []);
  return (
    <main class="auth" id="main">
      <h1>ScoreMate</h1>
      <div class="card" role="status">
        {state === "working" ? <p>Confirming your e-mail address…</p> : null}
        {state === "done" ? <p>Your e-mail address is confirmed. Thank you!</p> : null}
        {state === "failed" ? <p class="notice notice-error">This link did not work: {message}</p> : null}
        <p>
          <a href="/">Open ScoreMate</a>
        </p>
      </div>
    </main>
  );
}
