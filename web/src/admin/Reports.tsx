// The monthly activity report (GET /admin/reports/monthly): one UTC month's figures as a table,
// and the same as CSV for a spreadsheet.
import { useState } from "preact/hooks";

import { getBlob, get, query } from "../shared/api";
import { ErrorNote, Spinner } from "../shared/components";
import { saveFrom } from "../shared/exports";
import { formatBytes, formatTime } from "../shared/format";
import { useLoad } from "../shared/hooks";
import type { MonthlyReport } from "../shared/types";
import "./reports.css";

// As the API takes it: no year 0.
const MONTH = /^[1-9]\d{3}-(0[1-9]|1[0-2])$/;
// The object URL of a downloaded CSV is given back once the browser has surely taken it.
const REVOKE_AFTER_MS = 60_000;

/** The report's months are UTC months: this one, as `YYYY-MM`. */
export function currentMonth(now = new Date()): string {
  return now.toISOString().slice(0, 7);
}

interface Row {
  /** The CSV's metric (and detail) of the row. */
  key: string;
  metric: string;
  value: string;
  /** The figure itself (the text shows it formatted). */
  raw: number;
  /** A breakdown of the row above it (a failure's reason). */
  detail?: boolean;
}

function count(n: number): string {
  return n.toLocaleString();
}

function figure(key: string, metric: string, raw: number, unit: "count" | "bytes" = "count"): Row {
  const value = unit === "bytes" ? `${formatBytes(raw)} (${count(raw)} bytes)` : count(raw);
  return { key, metric, raw, value };
}

function rowsOf(report: MonthlyReport): Row[] {
  const reasons = Object.entries(report.failures.by_reason).sort(([a], [b]) => a.localeCompare(b));
  return [
    figure("signups", "Sign-ups", report.signups),
    figure("referrals", "Sign-ups with a referral code", report.referrals),
    figure("active_users", "Active users", report.active_users),
    figure("uploads", "Uploads", report.uploads),
    figure("upload_bytes", "Uploaded", report.upload_bytes, "bytes"),
    figure("pages_processed", "Pages processed", report.pages_processed),
    figure("failures", "Failures", report.failures.total),
    ...reasons.map(([reason, n]) => ({ ...figure(`failures:${reason}`, reason, n), detail: true })),
    figure("storage_bytes_in_use", "Storage in use", report.storage_bytes_in_use, "bytes"),
    figure("plan_changes", "Plan changes", report.plan_changes),
    figure("exports:completed", "Exports completed", report.exports.completed),
    figure("exports:failed", "Exports failed", report.exports.failed),
    figure("imports", "Imports", report.imports),
    figure("scores_deleted", "Scores deleted", report.scores_deleted),
    figure("accounts_deleted", "Accounts deleted", report.accounts_deleted),
  ];
}

export function Reports() {
  const [month, setMonth] = useState(currentMonth);
  const valid = MONTH.test(month);
  const { value: report, error } = useLoad(
    (signal) =>
      valid ? get<MonthlyReport>(`/admin/reports/monthly${query({ month })}`, signal) : Promise.resolve(null),
    [month],
  );
  const [downloading, setDownloading] = useState(false);
  const [downloadError, setDownloadError] = useState<unknown>(null);
  const shown = report && report.month === month ? report : null;

  async function downloadCsv() {
    setDownloading(true);
    setDownloadError(null);
    try {
      const csv = await getBlob(`/admin/reports/monthly${query({ month })}`, "text/csv");
      const url = URL.createObjectURL(csv);
      saveFrom(url, `scoremate-report-${month}.csv`);
      window.setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
    } catch (caught) {
      setDownloadError(caught);
    } finally {
      setDownloading(false);
    }
  }

  return (
    <section class="reports">
      <h1>Monthly report</h1>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          Month (UTC)
          <input
            type="month"
            name="month"
            required
            max={currentMonth()}
            value={month}
            onInput={(event) => setMonth(event.currentTarget.value)}
          />
        </label>
        <div class="filter-actions">
          <button type="button" disabled={!valid || downloading} onClick={() => void downloadCsv()}>
            Download CSV
          </button>
        </div>
      </form>
      <ErrorNote error={downloadError} />
      {!valid ? (
        <p class="notice notice-warning" role="alert">
          Choose a month.
        </p>
      ) : null}
      <ErrorNote error={error} />
      {valid && !shown && !error ? <Spinner label="Loading the report…" /> : null}
      {shown ? (
        <>
          <p class="muted">Figures as the services reported them, at {formatTime(shown.generated_at)}.</p>
          <div class="table-scroll">
            <table class="report-table" data-month={shown.month}>
              <caption class="visually-hidden">Activity of {shown.month} (UTC)</caption>
              <thead>
                <tr>
                  <th scope="col">Figure</th>
                  <th scope="col" class="number">
                    Value
                  </th>
                </tr>
              </thead>
              <tbody>
                {rowsOf(shown).map((row) => (
                  <tr key={row.key} data-metric={row.key} class={row.detail ? "report-detail" : ""}>
                    <th scope="row">
                      {row.detail ? (
                        <>
                          <span class="visually-hidden">Failures because of </span>
                          <span class="mono">{row.metric}</span>
                        </>
                      ) : (
                        row.metric
                      )}
                    </th>
                    <td class="number" data-value={row.raw}>
                      {row.value}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </section>
  );
}
