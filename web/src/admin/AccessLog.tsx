import { useEffect, useState } from "preact/hooks";

import { get, query } from "../shared/api";
import { ErrorNote, Pager, Spinner } from "../shared/components";
import { formatTime } from "../shared/format";
import { useLoad } from "../shared/hooks";
import { currentRoute, navigate, routeQuery } from "../shared/router";
import type { AccessLogEntry, Page } from "../shared/types";

const PAGE_SIZE = 50;
const FILTERS = ["user", "action", "since", "until"] as const;
type Filter = (typeof FILTERS)[number];

/** datetime-local ("2026-11-22T10:00") in the browser's zone -> RFC 3339 UTC for the API. */
function toUtc(local: string): string | null {
  if (!local) return null;
  const when = new Date(local);
  return Number.isNaN(when.getTime()) ? null : when.toISOString();
}

export function AccessLog({ route }: { route: string }) {
  const params = routeQuery(route);
  const applied = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ""])) as Record<Filter, string>;
  const appliedKey = FILTERS.map((f) => applied[f]).join("|");
  const [draft, setDraft] = useState(applied);
  const [page, setPage] = useState(1);
  useEffect(() => {
    setDraft(applied);
    setPage(1);
  }, [appliedKey]);

  const { value, error, reload } = useLoad(
    (signal) =>
      get<Page<AccessLogEntry>>(
        `/admin/access-log${query({
          user_id: applied.user,
          action: applied.action,
          since: toUtc(applied.since),
          until: toUtc(applied.until),
          page,
          page_size: PAGE_SIZE,
        })}`,
        signal,
      ),
    [appliedKey, page],
  );

  function apply(event: Event) {
    event.preventDefault();
    const search = new URLSearchParams();
    for (const f of FILTERS) if (draft[f].trim()) search.set(f, draft[f].trim());
    const target = `/access-log?${search.toString()}`;
    // The same filters again: read the log again (it grows while one looks).
    if (target === currentRoute()) reload();
    else navigate(target);
  }

  const set = (name: Filter) => (e: { currentTarget: HTMLInputElement }) =>
    setDraft({ ...draft, [name]: e.currentTarget.value });

  return (
    <section>
      <h1>Access log</h1>
      <form class="filters filters-4" onSubmit={apply}>
        <label>
          User id
          <input name="user" type="text" value={draft.user} onInput={set("user")} />
        </label>
        <label>
          Action
          <input
            name="action"
            type="text"
            placeholder="download, admin:retry_task, …"
            value={draft.action}
            onInput={set("action")}
          />
        </label>
        <label>
          Since
          <input name="since" type="datetime-local" value={draft.since} onInput={set("since")} />
        </label>
        <label>
          Until
          <input name="until" type="datetime-local" value={draft.until} onInput={set("until")} />
        </label>
        <div class="filter-actions">
          <button type="submit" class="primary">
            Filter
          </button>
        </div>
      </form>
      <ErrorNote error={error} />
      {!value && !error ? <Spinner label="Loading the access log…" /> : null}
      {value && value.items.length === 0 ? <p class="empty">Nothing recorded matches.</p> : null}
      {value && value.items.length ? (
        <div class="table-scroll">
          <table>
            <caption class="visually-hidden">Access log, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Action</th>
                <th scope="col">User</th>
                <th scope="col">Score</th>
                <th scope="col">Object</th>
                <th scope="col">Request id</th>
              </tr>
            </thead>
            <tbody>
              {value.items.map((entry) => (
                <tr key={entry.id} data-action={entry.action}>
                  <td>{formatTime(entry.at)}</td>
                  <td>{entry.action}</td>
                  <td class="mono">{entry.user_id}</td>
                  <td class="mono">{entry.score_id ?? "—"}</td>
                  <td class="mono">{entry.object_key ?? "—"}</td>
                  <td class="mono">{entry.request_id ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {value ? <Pager page={page} pageSize={PAGE_SIZE} total={value.total} onPage={setPage} label="Log pages" /> : null}
    </section>
  );
}
