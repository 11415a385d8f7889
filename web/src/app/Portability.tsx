// The account page's card "Your library, yours to take" (docs/API.md "Exports and imports"):
// export the whole library as one ZIP, or import such an archive. Both run on the server for a
// while; the card reads their state again every second until they end.
import { useEffect, useRef, useState } from "preact/hooks";

import { ApiError, call, get, query } from "../shared/api";
import { ErrorNote, Spinner } from "../shared/components";
import { EXPORT_STATUS_LABEL, ExportDownloadLink, exportInProgress, isExportRunning } from "../shared/exports";
import { formatBytes, formatTime } from "../shared/format";
import type { ImportStatus, LibraryExport, LibraryImport, Page } from "../shared/types";
import "./portability.css";
import { put } from "./uploads";
import { usageStore } from "./usage";

const POLL_MS = 1000;
const RECENT_EXPORTS = 5;

export function Portability() {
  return (
    <div class="card portability">
      <h2>Your library, yours to take</h2>
      <ExportLibrary />
      <ImportArchive />
    </div>
  );
}

/** While `id` is set, `read` it every `POLL_MS` (counted from each answer, so a slow server is
 * never asked twice at once) until `keepGoing` says it has ended. A failed read is shown and tried
 * again (a moment without network does not end the watch); a 404 ends it. */
function usePolling<T>(
  id: string | null,
  read: (id: string, signal: AbortSignal) => Promise<T>,
  keepGoing: (value: T) => boolean,
  onError: (error: unknown) => void,
): void {
  // The latest callbacks, without restarting the watch on every render.
  const latest = useRef({ read, keepGoing, onError });
  latest.current = { read, keepGoing, onError };
  useEffect(() => {
    if (!id) return;
    const abort = new AbortController();
    let timer: number | undefined;
    const tick = async () => {
      try {
        const value = await latest.current.read(id, abort.signal);
        if (abort.signal.aborted || !latest.current.keepGoing(value)) return;
      } catch (error) {
        if (abort.signal.aborted) return;
        latest.current.onError(error);
        if (error instanceof ApiError && error.status === 404) return;
      }
      timer = window.setTimeout(() => void tick(), POLL_MS);
    };
    timer = window.setTimeout(() => void tick(), POLL_MS);
    return () => {
      abort.abort();
      window.clearTimeout(timer);
    };
  }, [id]);
}

/** A refusal as the API gave it: the problem's title, then its detail. */
function Refusal({ title, detail }: { title: string; detail: string | null | undefined }) {
  return (
    <div class="notice notice-error" role="alert">
      <p class="refusal-title">{title}</p>
      {detail ? <p>{detail}</p> : null}
    </div>
  );
}

function ProblemOrError({ error }: { error: unknown }) {
  if (error instanceof ApiError && error.problem.title) {
    return <Refusal title={error.problem.title} detail={error.problem.detail} />;
  }
  return <ErrorNote error={error} />;
}

// --- export -------------------------------------------------------------------------------------

function newestFirst(a: LibraryExport, b: LibraryExport): number {
  return b.created_at.localeCompare(a.created_at);
}

function ExportLibrary() {
  const [exports, setExports] = useState<LibraryExport[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [starting, setStarting] = useState(false);
  const running = exports?.find((item) => isExportRunning(item.status)) ?? null;

  const show = (fresh: LibraryExport) =>
    setExports((list) =>
      [fresh, ...(list ?? []).filter((item) => item.id !== fresh.id)].sort(newestFirst).slice(0, RECENT_EXPORTS),
    );

  useEffect(() => {
    const abort = new AbortController();
    get<Page<LibraryExport>>(`/exports${query({ page_size: RECENT_EXPORTS })}`, abort.signal).then(
      (page) => setExports(page.items),
      (caught) => {
        if (!abort.signal.aborted) {
          setExports([]);
          setError(caught);
        }
      },
    );
    return () => abort.abort();
  }, []);

  usePolling(
    running?.id ?? null,
    (id, signal) => get<LibraryExport>(`/exports/${id}`, signal),
    (fresh) => {
      setError(null);
      show(fresh);
      return isExportRunning(fresh.status);
    },
    setError,
  );

  async function start() {
    setStarting(true);
    setError(null);
    try {
      const { data } = await call<LibraryExport>("/exports", {
        method: "POST",
        idempotencyKey: crypto.randomUUID(),
      });
      show(data);
    } catch (caught) {
      // Already one under way (another tab, another device): follow that one.
      const busyWith = exportInProgress(caught);
      try {
        if (!busyWith) throw caught;
        show(await get<LibraryExport>(`/exports/${busyWith}`));
      } catch {
        setError(caught);
      }
    } finally {
      setStarting(false);
    }
  }

  return (
    <section class="portability-part" aria-labelledby="export-heading">
      <h3 id="export-heading">Export your library</h3>
      <p>
        One ZIP archive of everything you keep here: every score's original PDF under a readable name, their
        details, tags and notes, your setlists in order, and your account and billing history. Download it within a
        few days; then it is deleted.
      </p>
      <button type="button" class="primary" disabled={starting || running !== null} onClick={() => void start()}>
        Export my library
      </button>
      <ErrorNote error={error} />
      {exports === null ? <Spinner label="Loading your exports…" /> : null}
      {exports && exports.length ? (
        <>
          <h4>Recent exports</h4>
          <ul class="export-list">
            {exports.map((item) => (
              <ExportItem key={item.id} item={item} onRenewed={show} />
            ))}
          </ul>
        </>
      ) : null}
      {exports && !exports.length && !error ? <p class="muted">You have not exported your library yet.</p> : null}
    </section>
  );
}

function ExportItem({ item, onRenewed }: { item: LibraryExport; onRenewed: (fresh: LibraryExport) => void }) {
  const { progress } = item;
  return (
    <li class="export-item" data-export-id={item.id} data-status={item.status}>
      <p class="export-head">
        {/* Announced as it changes: the phase only, not every figure of the progress bar. */}
        <strong role="status" class={`export-status export-${item.status}`}>
          {EXPORT_STATUS_LABEL[item.status]}
        </strong>{" "}
        <span class="muted">
          requested {formatTime(item.created_at)}
          {item.requested_by ? " by an administrator" : ""}
        </span>
      </p>
      {item.status === "collecting" ? (
        <label class="progress-line">
          Gathering your library, account and billing history: {progress.parts_received} of{" "}
          {progress.parts_expected} parts
          <progress max={progress.parts_expected || 1} value={progress.parts_received} />
        </label>
      ) : null}
      {item.status === "assembling" ? (
        <label class="progress-line">
          Packing your scores: {progress.scores_packed} of {progress.scores_total ?? "…"}
          <progress max={progress.scores_total || 1} value={progress.scores_packed} />
        </label>
      ) : null}
      {item.status === "completed" ? (
        <>
          <p>
            {item.scores ?? 0} {item.scores === 1 ? "score" : "scores"}, {item.setlists ?? 0}{" "}
            {item.setlists === 1 ? "setlist" : "setlists"}, {formatBytes(item.size_bytes ?? 0)}
            {item.as_of ? `, as your library was on ${formatTime(item.as_of)}` : ""}.
          </p>
          <div class="export-download">
            <ExportDownloadLink
              item={item}
              renew={() => get<LibraryExport>(`/exports/${item.id}`)}
              onRenewed={onRenewed}
            >
              Download the archive<span class="visually-hidden"> of {formatTime(item.created_at)}</span>
            </ExportDownloadLink>
            {item.expires_at ? <span class="muted">Available until {formatTime(item.expires_at)}</span> : null}
          </div>
        </>
      ) : null}
      {item.status === "failed" ? (
        <p class="notice notice-error">{item.error || "The archive could not be built. Please export again."}</p>
      ) : null}
      {item.status === "expired" ? (
        <p class="muted">
          Deleted {item.expires_at ? `on ${formatTime(item.expires_at)}` : ""}: export again for a new archive.
        </p>
      ) : null}
    </li>
  );
}

// --- import -------------------------------------------------------------------------------------

function isImportRunning(status: ImportStatus): boolean {
  return status === "validating" || status === "importing";
}

interface Sending {
  sent: number;
  total: number;
}

function ImportArchive() {
  const [file, setFile] = useState<File | null>(null);
  const [sending, setSending] = useState<Sending | null>(null);
  const [current, setCurrent] = useState<LibraryImport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const abort = useRef<AbortController | null>(null);
  const running = current !== null && isImportRunning(current.status);

  // An import still running from before a reload is followed again.
  useEffect(() => {
    const controller = new AbortController();
    get<Page<LibraryImport>>(`/imports${query({ page_size: 1 })}`, controller.signal).then(
      (page) => {
        const [latest] = page.items;
        if (latest && isImportRunning(latest.status)) setCurrent((shown) => shown ?? latest);
      },
      () => undefined,
    );
    return () => {
      controller.abort();
      abort.current?.abort();
    };
  }, []);

  usePolling(
    running ? current.id : null,
    (id, signal) => get<LibraryImport>(`/imports/${id}`, signal),
    (fresh) => {
      setError(null);
      setCurrent(fresh);
      if (fresh.status === "completed") usageStore.refreshSoon();
      return isImportRunning(fresh.status);
    },
    setError,
  );

  async function submit(event: Event) {
    event.preventDefault();
    if (!file) return;
    const controller = new AbortController();
    abort.current = controller;
    setError(null);
    setCurrent(null);
    setSending({ sent: 0, total: file.size });
    try {
      const { data: created } = await call<LibraryImport>("/imports", {
        method: "POST",
        body: { size_bytes: file.size },
        idempotencyKey: crypto.randomUUID(),
        signal: controller.signal,
      });
      if (!created.upload) throw new Error("the server gave no upload address");
      // Straight to storage, like a score's upload; the import reads only its own copy of it.
      await put(
        created.upload.url,
        created.upload.headers,
        file,
        (sent) => setSending({ sent, total: file.size }),
        controller.signal,
      );
      const { data: started } = await call<LibraryImport>(`/imports/${created.id}/start`, {
        method: "POST",
        idempotencyKey: crypto.randomUUID(),
        signal: controller.signal,
      });
      setCurrent(started);
    } catch (caught) {
      if (!controller.signal.aborted) setError(caught);
    } finally {
      setSending(null);
    }
  }

  return (
    <section class="portability-part" aria-labelledby="import-heading">
      <h3 id="import-heading">Import an archive</h3>
      <p>
        An archive exported from ScoreMate: its scores are added to your library and processed again, the ones you
        already have are skipped, and its setlists are rebuilt in order. Nothing is stored unless all of it fits in
        your storage.
      </p>
      <form class="import-form" onSubmit={(event) => void submit(event)}>
        <label>
          Archive (.zip)
          <input
            type="file"
            name="archive"
            accept=".zip,application/zip"
            required
            disabled={sending !== null || running}
            onChange={(event) => setFile(event.currentTarget.files?.[0] ?? null)}
          />
        </label>
        <button type="submit" class="primary" disabled={!file || sending !== null || running}>
          Start the import
        </button>
      </form>
      {sending ? (
        <label class="progress-line">
          Uploading the archive: {formatBytes(sending.sent)} of {formatBytes(sending.total)}
          <progress max={sending.total || 1} value={sending.sent} />
        </label>
      ) : null}
      <ProblemOrError error={error} />
      {current ? <ImportState item={current} /> : null}
    </section>
  );
}

const IMPORT_PHASE: Record<ImportStatus, string> = {
  awaiting_upload: "Waiting for the archive",
  validating: "Checking the archive",
  importing: "Adding the scores to your library",
  completed: "Imported",
  refused: "Refused",
  failed: "Failed",
};

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function ImportState({ item }: { item: LibraryImport }) {
  const { progress, report } = item;
  const settled = progress.scores_stored + progress.scores_failed;
  return (
    <div class="import-state" data-import-id={item.id} data-status={item.status}>
      <p role="status">
        <strong>{IMPORT_PHASE[item.status]}</strong>
      </p>
      {item.status === "validating" ? (
        <label class="progress-line">
          {formatBytes(progress.bytes_read)} of {formatBytes(progress.bytes_total)} read
          <progress max={progress.bytes_total || 1} value={progress.bytes_read} />
        </label>
      ) : null}
      {item.status === "importing" ? (
        <label class="progress-line">
          {progress.scores_stored} of {progress.scores_total} scores stored
          {progress.scores_failed ? `, ${progress.scores_failed} failed` : ""}
          <progress max={progress.scores_total || 1} value={settled} />
        </label>
      ) : null}
      {report && (item.status === "importing" || item.status === "completed") ? (
        <div class="import-report">
          <ul class="import-figures">
            <li>{plural(report.scores_imported, "score imported", "scores imported")}</li>
            <li>{plural(report.duplicates_skipped.length, "duplicate skipped", "duplicates skipped")}</li>
            {report.setlists_created != null ? (
              <li>{plural(report.setlists_created, "setlist rebuilt", "setlists rebuilt")}</li>
            ) : (
              <li>{plural(report.setlists, "setlist", "setlists")} in the archive</li>
            )}
            {report.setlists_skipped ? (
              <li>{plural(report.setlists_skipped, "setlist", "setlists")} already in your library (skipped)</li>
            ) : null}
            {report.scores_without_file ? (
              <li>{plural(report.scores_without_file, "score", "scores")} listed without a PDF (not imported)</li>
            ) : null}
            {report.scores_skipped ? (
              <li>
                {plural(report.scores_skipped, "score", "scores")} left out: the same file reached your library
                meanwhile
              </li>
            ) : null}
            {progress.scores_failed ? (
              <li>{plural(progress.scores_failed, "score", "scores")} could not be stored (see the library)</li>
            ) : null}
          </ul>
          {report.duplicates_skipped.length ? (
            <>
              <h4>Skipped: already in your library</h4>
              <ul class="duplicate-list">
                {report.duplicates_skipped.map((duplicate, n) => (
                  <li key={n}>
                    <a href={`#/scores/${duplicate.existing_score_id}`}>{duplicate.title}</a>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </div>
      ) : null}
      {item.status === "refused" || item.status === "failed" ? (
        <Refusal
          title={item.problem?.title ?? "The archive could not be imported"}
          detail={item.problem?.detail ?? null}
        />
      ) : null}
    </div>
  );
}
