import { useState } from "preact/hooks";

import { get, query } from "../shared/api";
import { ErrorNote, Pager, Spinner } from "../shared/components";
import { formatBytes, formatTime } from "../shared/format";
import { useDebounced, useLoad } from "../shared/hooks";
import type { AdminUser, Page } from "../shared/types";
import { UserExport } from "./UserExport";

const PAGE_SIZE = 20;
// A search walks the pages (the admin API filters users by nothing), this many at most.
const SEARCH_PAGE_SIZE = 100;
const SEARCH_PAGE_LIMIT = 20;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Found {
  items: AdminUser[];
  scanned: number;
  total: number;
}

async function search(term: string, signal: AbortSignal): Promise<Found> {
  const items: AdminUser[] = [];
  let scanned = 0;
  let total = 0;
  for (let page = 1; page <= SEARCH_PAGE_LIMIT; page++) {
    const answer = await get<Page<AdminUser>>(`/admin/users${query({ page, page_size: SEARCH_PAGE_SIZE })}`, signal);
    total = answer.total;
    scanned += answer.items.length;
    items.push(...answer.items.filter((user) => user.user_id.includes(term)));
    if (scanned >= total || answer.items.length === 0 || (UUID.test(term) && items.length)) break;
  }
  return { items, scanned, total };
}

export function Users() {
  const [term, setTerm] = useState("");
  const [page, setPage] = useState(1);
  const wanted = useDebounced(term.trim().toLowerCase(), 400);
  const { value, error } = useLoad(
    async (signal): Promise<Found & { page?: Page<AdminUser> }> => {
      if (wanted) return search(wanted, signal);
      const answer = await get<Page<AdminUser>>(`/admin/users${query({ page, page_size: PAGE_SIZE })}`, signal);
      return { items: answer.items, scanned: answer.items.length, total: answer.total, page: answer };
    },
    [wanted, page],
  );

  return (
    <section>
      <h1>Users</h1>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Find a user by id
          <input
            type="search"
            name="user"
            placeholder="The whole id, or part of it"
            value={term}
            onInput={(e) => setTerm(e.currentTarget.value)}
          />
        </label>
      </form>
      <ErrorNote error={error} />
      {!value && !error ? <Spinner label="Loading users…" /> : null}
      {value && wanted ? (
        <p class="muted" role="status">
          {value.items.length} found among {value.scanned} of {value.total} users
        </p>
      ) : null}
      {value ? (
        <div class="table-scroll">
          <table>
            <caption class="visually-hidden">Users with their plan, quota and usage</caption>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Plan</th>
                <th scope="col">Used of quota</th>
                <th scope="col">Since</th>
                <th scope="col">See and do</th>
              </tr>
            </thead>
            <tbody>
              {value.items.map((user) => (
                <UserRow key={user.user_id} user={user} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {value?.page ? (
        <Pager page={page} pageSize={PAGE_SIZE} total={value.page.total} onPage={setPage} label="User pages" />
      ) : null}
    </section>
  );
}

function UserRow({ user }: { user: AdminUser }) {
  const percent = user.total_quota_bytes ? (100 * user.used_bytes) / user.total_quota_bytes : 0;
  return (
    <tr data-user-id={user.user_id}>
      <td class="mono">{user.user_id}</td>
      <td>{user.plan}</td>
      <td>
        <label class="inline-meter">
          <span class="visually-hidden">Storage used by {user.user_id}</span>
          <meter min={0} max={100} low={80} high={95} optimum={0} value={percent} />
        </label>
        {formatBytes(user.used_bytes)} of {formatBytes(user.total_quota_bytes)} ({percent.toFixed(0)} %)
      </td>
      <td>{formatTime(user.created_at)}</td>
      <td>
        <a href={`#/files?user=${user.user_id}`}>Files</a> ·{" "}
        <a href={`#/access-log?user=${user.user_id}`}>Access log</a>
        <UserExport userId={user.user_id} />
      </td>
    </tr>
  );
}
