// A data-subject request from the Users table: an export of the user's whole library, the same
// archive the user would get (POST /admin/exports). Every read of an admin export is recorded in
// the access log, so the console reads it again when the operator asks, never on a timer.
import { useState } from "preact/hooks";

import { call, get } from "../shared/api";
import { ErrorNote } from "../shared/components";
import { EXPORT_STATUS_LABEL, ExportDownloadLink, exportInProgress, isExportRunning } from "../shared/exports";
import { formatBytes } from "../shared/format";
import type { LibraryExport } from "../shared/types";
import "./user-export.css";

function readExport(id: string): Promise<LibraryExport> {
  return get<LibraryExport>(`/admin/exports/${id}`);
}

function progressOf(item: LibraryExport): string {
  const { progress } = item;
  if (item.status === "collecting") return `${progress.parts_received} of ${progress.parts_expected} parts written`;
  if (item.status === "assembling") {
    return `${progress.scores_packed} of ${progress.scores_total ?? "…"} scores packed`;
  }
  if (item.status === "completed") return `${item.scores ?? 0} scores, ${formatBytes(item.size_bytes ?? 0)}`;
  return item.error ?? "";
}

export function UserExport({ userId }: { userId: string }) {
  const [item, setItem] = useState<LibraryExport | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function run(work: () => Promise<LibraryExport>) {
    setBusy(true);
    setError(null);
    try {
      setItem(await work());
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  const start = () =>
    run(async () => {
      try {
        const { data } = await call<LibraryExport>("/admin/exports", {
          method: "POST",
          body: { user_id: userId },
          idempotencyKey: crypto.randomUUID(),
        });
        return data;
      } catch (caught) {
        // One is under way already (the user's own, or another operator's): show that one.
        const busyWith = exportInProgress(caught);
        if (busyWith) return readExport(busyWith);
        throw caught;
      }
    });

  if (!item) {
    return (
      <div class="user-export">
        <button type="button" class="small" disabled={busy} onClick={() => void start()}>
          Export this user's data
        </button>
        <ErrorNote error={error} />
      </div>
    );
  }
  const detail = progressOf(item);
  return (
    <div class="user-export" data-export-id={item.id} data-status={item.status}>
      <p role="status">
        Export: {EXPORT_STATUS_LABEL[item.status]}
        {detail ? ` (${detail})` : ""}
      </p>
      {isExportRunning(item.status) ? (
        <button type="button" class="small" disabled={busy} onClick={() => void run(() => readExport(item.id))}>
          Check again
        </button>
      ) : null}
      {item.status === "completed" ? (
        <ExportDownloadLink item={item} renew={() => readExport(item.id)} onRenewed={setItem}>
          Download the export<span class="visually-hidden"> of {userId}</span>
        </ExportDownloadLink>
      ) : null}
      {item.status === "failed" || item.status === "expired" ? (
        <button type="button" class="small" disabled={busy} onClick={() => void start()}>
          Export again
        </button>
      ) : null}
      <ErrorNote error={error} />
    </div>
  );
}
