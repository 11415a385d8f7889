import { useEffect, useState } from "preact/hooks";

import { call, describe, get, query } from "../shared/api";
import { ErrorNote, Pager, Spinner } from "../shared/components";
import { formatTime } from "../shared/format";
import { useLoad } from "../shared/hooks";
import type { Page, Task, TaskKind, TaskStatus } from "../shared/types";

const PAGE_SIZE = 50;
const STATUSES: TaskStatus[] = ["FAILED", "PENDING", "RUNNING", "SUCCEEDED"];
const KINDS: TaskKind[] = ["pdf_info", "thumbnail", "layout_hook"];
// While a task shown is queued or running, the page is read again this often.
const ACTIVE_POLL_MS = 2_000;

export function Tasks() {
  const [status, setStatus] = useState<TaskStatus | "">("FAILED");
  const [kind, setKind] = useState<TaskKind | "">("");
  const [page, setPage] = useState(1);
  const [notice, setNotice] = useState<string | null>(null);
  const { value, setValue, error, reload } = useLoad(
    (signal) => get<Page<Task>>(`/admin/tasks${query({ status, page, page_size: PAGE_SIZE })}`, signal),
    [status, page],
  );
  useEffect(() => setPage(1), [status]);

  const active = value?.items.some((task) => task.status === "PENDING" || task.status === "RUNNING");
  useEffect(() => {
    if (!active) return;
    const timer = window.setInterval(reload, ACTIVE_POLL_MS);
    return () => window.clearInterval(timer);
  }, [active, reload]);

  async function retry(task: Task) {
    setNotice(null);
    try {
      const { data } = await call<Task>(`/admin/tasks/${task.id}/retry`, { method: "POST" });
      setValue((current) =>
        current ? { ...current, items: current.items.map((t) => (t.id === data.id ? data : t)) } : current,
      );
      setNotice(`Task ${task.kind} of score ${task.score_id} queued again.`);
    } catch (caught) {
      setNotice(`Retry refused: ${describe(caught)}`);
    }
  }

  // The admin API filters tasks by status; the kind is chosen among the page shown.
  const shown = (value?.items ?? []).filter((task) => !kind || task.kind === kind);
  return (
    <section>
      <h1>Tasks</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select name="status" value={status} onChange={(e) => setStatus(e.currentTarget.value as TaskStatus | "")}>
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Kind
          <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as TaskKind | "")}>
            <option value="">Any</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
      </form>
      <p class="notice" role="status">
        {notice ?? ""}
      </p>
      <ErrorNote error={error} />
      {!value && !error ? <Spinner label="Loading tasks…" /> : null}
      {value && shown.length === 0 ? <p class="empty">No task matches.</p> : null}
      {shown.length ? (
        <div class="table-scroll">
          <table>
            <caption class="visually-hidden">Tasks, most recently changed first</caption>
            <thead>
              <tr>
                <th scope="col">Changed</th>
                <th scope="col">Kind</th>
                <th scope="col">Status</th>
                <th scope="col">Tries</th>
                <th scope="col">Score</th>
                <th scope="col">Log</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((task) => (
                <tr key={task.id} data-task-id={task.id} data-score-id={task.score_id} data-status={task.status}>
                  <td>{formatTime(task.updated_at)}</td>
                  <td>{task.kind}</td>
                  <td class={`task-${task.status.toLowerCase()}`}>{task.status}</td>
                  <td>{task.try_count}</td>
                  <td class="mono">{task.score_id}</td>
                  <td>
                    {task.log.length ? (
                      <details>
                        <summary>{task.log.length} lines</summary>
                        <pre>{task.log.join("\n")}</pre>
                      </details>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td>
                    {task.status === "FAILED" ? (
                      <button type="button" class="small" onClick={() => void retry(task)}>
                        Retry<span class="visually-hidden"> task {task.id}</span>
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {value ? <Pager page={page} pageSize={PAGE_SIZE} total={value.total} onPage={setPage} label="Task pages" /> : null}
    </section>
  );
}
