import { useEffect, useState } from "preact/hooks";

import { get, query } from "../shared/api";
import { ErrorNote, Pager, Spinner } from "../shared/components";
import { formatBytes, formatTime } from "../shared/format";
import { useLoad } from "../shared/hooks";
import { currentRoute, navigate, routeQuery } from "../shared/router";
import type { AdminObject, Page } from "../shared/types";

const PAGE_SIZE = 50;

/** One user's object index (GET /admin/files?user_id=). */
export function Files({ route }: { route: string }) {
  const userId = routeQuery(route).get("user") ?? "";
  const [draft, setDraft] = useState(userId);
  const [page, setPage] = useState(1);
  useEffect(() => {
    setDraft(userId);
    setPage(1);
  }, [userId]);
  const { value, error, reload } = useLoad(
    (signal) =>
      userId
        ? get<Page<AdminObject>>(`/admin/files${query({ user_id: userId, page, page_size: PAGE_SIZE })}`, signal)
        : Promise.resolve(null),
    [userId, page],
  );

  return (
    <section>
      <h1>Files</h1>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          const target = `/files?user=${encodeURIComponent(draft.trim())}`;
          if (target === currentRoute()) reload();
          else navigate(target);
        }}
      >
        <label>
          User id
          <input name="user" required value={draft} onInput={(e) => setDraft(e.currentTarget.value)} />
        </label>
        <div class="filter-actions">
          <button type="submit" class="primary">
            Show files
          </button>
        </div>
      </form>
      <ErrorNote error={error} />
      {userId && !value && !error ? <Spinner label="Loading the index…" /> : null}
      {value && value.items.length === 0 ? <p class="empty">No objects for this user.</p> : null}
      {value && value.items.length ? (
        <>
          <p class="muted">
            {value.total} objects, {formatBytes(value.items.reduce((sum, o) => sum + o.size_bytes, 0))} on this page
          </p>
          <div class="table-scroll">
            <table>
              <caption class="visually-hidden">Objects of user {userId}</caption>
              <thead>
                <tr>
                  <th scope="col">Key</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Page</th>
                  <th scope="col">Size</th>
                  <th scope="col">Stored</th>
                </tr>
              </thead>
              <tbody>
                {value.items.map((object) => (
                  <tr key={object.key}>
                    <td class="mono">{object.key}</td>
                    <td>{object.kind}</td>
                    <td>{object.page ?? "—"}</td>
                    <td>{formatBytes(object.size_bytes)}</td>
                    <td>{formatTime(object.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager page={page} pageSize={PAGE_SIZE} total={value.total} onPage={setPage} label="File pages" />
        </>
      ) : null}
    </section>
  );
}
