import { useEffect, useState } from "preact/hooks";

import { call, get } from "../shared/api";
import { ErrorNote, Spinner, UsageMeter } from "../shared/components";
import { useLoad, useSubscription } from "../shared/hooks";
import type { PlanInfo, User } from "../shared/types";
import { Portability } from "./Portability";
import { usageStore } from "./usage";

export function Account() {
  useSubscription(usageStore.subscribe);
  useEffect(() => void usageStore.refresh(), []);
  const { value: me, error } = useLoad((signal) => get<User>("/auth/me", signal), []);
  const { value: plan } = useLoad((signal) => get<PlanInfo>("/billing/plan", signal), []);

  return (
    <section class="account">
      <h1>Account</h1>
      <ErrorNote error={error} />
      {!me && !error ? <Spinner label="Loading your account…" /> : null}
      {me ? (
        <div class="card">
          <h2>You</h2>
          <dl class="facts">
            <dt>E-mail</dt>
            <dd>{me.email}</dd>
            <dt>Plan</dt>
            <dd>{plan ? `${plan.plan} (${plan.total_quota_mb} MB${plan.bonus_mb ? `, ${plan.bonus_mb} MB bonus` : ""})` : me.plan}</dd>
            <dt>Referral code</dt>
            <dd>{me.referral_code}</dd>
          </dl>
          {me.email_verified === false ? <Verification /> : null}
        </div>
      ) : null}
      <div class="card">
        <h2>Storage</h2>
        {usageStore.usage ? <UsageMeter usage={usageStore.usage} /> : <Spinner label="Loading usage…" />}
      </div>
      <Portability />
    </section>
  );
}

function Verification() {
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function resend() {
    setError(null);
    try {
      await call("/auth/verify-email/resend", { method: "POST" });
      setSent(true);
    } catch (caught) {
      setError(caught);
    }
  }
  return (
    <div class="notice notice-warning">
      <p>Your e-mail address is not confirmed yet: follow the link we sent you.</p>
      {sent ? (
        <p role="status">A new link is on its way.</p>
      ) : (
        <button type="button" class="small" onClick={() => void resend()}>
          Send the link again
        </button>
      )}
      <ErrorNote error={error} />
    </div>
  );
}
