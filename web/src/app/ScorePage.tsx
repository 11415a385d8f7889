import { useEffect, useRef, useState } from "preact/hooks";

import { ApiError, call, get, query } from "../shared/api";
import { ErrorNote, Spinner } from "../shared/components";
import { formatBytes, formatTime } from "../shared/format";
import { useLoad } from "../shared/hooks";
import { navigate } from "../shared/router";
import type { DownloadUrl, Page, Score, Task } from "../shared/types";
import { live } from "./live";
import { usageStore } from "./usage";

const PROCESSING_POLL_MS = 2_000;

export function ScorePage({ id }: { id: string }) {
  const { value: score, setValue: setScore, error, reload } = useLoad(
    (signal) => get<Score>(`/scores/${id}`, signal),
    [id],
  );
  const [notice, setNotice] = useState<string | null>(null);
  // Page thumbnails rendered so far (the stream's progress), to retry the ones not there yet.
  const [thumbsVersion, setThumbsVersion] = useState(0);

  useEffect(
    () =>
      live.on((change) => {
        if (change.id !== id) return;
        if (change.kind === "score") {
          if (change.op === "delete") navigate("/");
          else if (change.data) setScore((current) => newer(current, change.data as Score));
        } else if (change.kind === "thumbnails") {
          setThumbsVersion((n) => n + 1);
        }
      }),
    [id, setScore],
  );
  useEffect(() => live.onState(reload), [reload]);
  useEffect(() => {
    if (score?.status !== "processing") return;
    const timer = window.setInterval(reload, PROCESSING_POLL_MS);
    return () => window.clearInterval(timer);
  }, [score?.status, reload]);

  if (error) return <ErrorNote error={error} />;
  if (!score) return <Spinner label="Loading the score…" />;

  return (
    <article class="score-page">
      <p>
        <a href="#/">← Library</a>
      </p>
      <div class="score-head">
        <div>
          <h1>{score.title}</h1>
          {score.composer ? <p class="lead">{score.composer}</p> : null}
          <p class={`status-badge status-${score.status}`} data-status={score.status}>
            {score.status === "ready" ? "Ready" : score.status === "processing" ? "Processing…" : "Failed"}
            {score.error ? `: ${score.error}` : ""}
          </p>
        </div>
        <ScoreActions score={score} onNotice={setNotice} />
      </div>
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <div class="score-body">
        <MetadataForm score={score} onSaved={setScore} onConflict={reload} onNotice={setNotice} />
        <Facts score={score} />
      </div>
      <PageThumbnails score={score} refreshKey={thumbsVersion} />
      <Tasks scoreId={score.id} status={score.status} />
    </article>
  );
}

function newer(current: Score | null, incoming: Score): Score {
  return current && (current.version ?? 0) > (incoming.version ?? 0) ? current : incoming;
}

function ScoreActions({ score, onNotice }: { score: Score; onNotice: (text: string | null) => void }) {
  const [error, setError] = useState<unknown>(null);

  async function download() {
    setError(null);
    try {
      const { url } = await get<DownloadUrl>(`/files/download-url${query({ score_id: score.id })}`);
      // The URL is signed to be sent as an attachment: the browser saves it, the page stays.
      const link = document.createElement("a");
      link.href = url;
      link.download = "";
      document.body.append(link);
      link.click();
      link.remove();
    } catch (caught) {
      setError(caught);
    }
  }

  async function remove() {
    if (!window.confirm(`Delete “${score.title}” and its pages? This cannot be undone.`)) return;
    try {
      await call(`/scores/${score.id}`, { method: "DELETE", ifMatch: score.version });
      usageStore.refreshSoon();
      navigate("/");
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 412) {
        onNotice("This score was changed on another device; check it and delete again.");
      } else setError(caught);
    }
  }

  return (
    <div class="actions">
      <button type="button" class="primary" onClick={() => void download()}>
        Download original
      </button>
      <button type="button" class="danger" onClick={() => void remove()}>
        Delete
      </button>
      <ErrorNote error={error} />
    </div>
  );
}

interface MetadataFormProps {
  score: Score;
  onSaved: (score: Score) => void;
  onConflict: () => void;
  onNotice: (text: string | null) => void;
}

function MetadataForm({ score, onSaved, onConflict, onNotice }: MetadataFormProps) {
  const [title, setTitle] = useState(score.title);
  const [composer, setComposer] = useState(score.composer ?? "");
  const [instrumentation, setInstrumentation] = useState(score.instrumentation ?? "");
  const [tags, setTags] = useState(score.tags.join(", "));
  const [note, setNote] = useState(score.note ?? "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const editedVersion = useRef(score.version);

  // A change from elsewhere (processing filled the composer) shows up while nothing is typed.
  useEffect(() => {
    if (busy) return;
    setTitle(score.title);
    setComposer(score.composer ?? "");
    setInstrumentation(score.instrumentation ?? "");
    setTags(score.tags.join(", "));
    setNote(score.note ?? "");
    editedVersion.current = score.version;
  }, [score.version, score.updated_at]);

  async function save(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    onNotice(null);
    try {
      const { data } = await call<Score>(`/scores/${score.id}`, {
        method: "PATCH",
        // Only what was edited against the version shown: another device's edit is never
        // overwritten silently (412, then the page shows theirs).
        ifMatch: editedVersion.current,
        body: {
          title: title.trim(),
          composer: composer.trim() || null,
          instrumentation: instrumentation.trim() || null,
          tags: tags
            .split(",")
            .map((tag) => tag.trim())
            .filter(Boolean),
          note: note.trim() || null,
        },
      });
      onSaved(data);
      onNotice("Saved.");
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 412) {
        onNotice("This score was changed on another device meanwhile: its latest version is shown; your edit was not saved.");
        onConflict();
      } else setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card metadata" onSubmit={save} aria-labelledby="metadata-heading">
      <h2 id="metadata-heading">Details</h2>
      <label>
        Title
        <input name="title" required maxLength={300} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
      </label>
      <label>
        Composer
        <input name="composer" maxLength={300} value={composer} onInput={(e) => setComposer(e.currentTarget.value)} />
      </label>
      <label>
        Instrumentation
        <input
          name="instrumentation"
          maxLength={300}
          value={instrumentation}
          onInput={(e) => setInstrumentation(e.currentTarget.value)}
        />
      </label>
      <label>
        Tags <span class="hint">(separated by commas)</span>
        <input name="tags" value={tags} onInput={(e) => setTags(e.currentTarget.value)} />
      </label>
      <label>
        Note
        <textarea name="note" rows={3} maxLength={5000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      <ErrorNote error={error} />
      <button type="submit" class="primary" disabled={busy}>
        Save details
      </button>
    </form>
  );
}

function Facts({ score }: { score: Score }) {
  return (
    <dl class="card facts">
      <dt>Pages</dt>
      <dd>{score.pages ?? "…"}</dd>
      <dt>Size</dt>
      <dd>{formatBytes(score.size_bytes)}</dd>
      <dt>Added</dt>
      <dd>{formatTime(score.created_at)}</dd>
      <dt>Changed</dt>
      <dd>{formatTime(score.updated_at)}</dd>
      <dt>SHA-256</dt>
      <dd class="hash">{score.content_hash}</dd>
      {score.filled_from_pdf?.length ? (
        <>
          <dt>From the PDF</dt>
          <dd>{score.filled_from_pdf.join(", ")}</dd>
        </>
      ) : null}
    </dl>
  );
}

function PageThumbnails({ score, refreshKey }: { score: Score; refreshKey: number }) {
  if (!score.pages) return null;
  const numbers = Array.from({ length: score.pages }, (_, i) => i + 1);
  return (
    <section aria-labelledby="pages-heading">
      <h2 id="pages-heading">Pages</h2>
      <ol class="page-grid">
        {numbers.map((n) => (
          <PageThumb key={n} scoreId={score.id} page={n} refreshKey={refreshKey} />
        ))}
      </ol>
    </section>
  );
}

/** One page's image, asked for when it scrolls into view (a score may have hundreds). */
function PageThumb({ scoreId, page, refreshKey }: { scoreId: string; page: number; refreshKey: number }) {
  const ref = useRef<HTMLLIElement>(null);
  const [visible, setVisible] = useState(false);
  const [url, setUrl] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const imageRetries = useRef(0);

  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) {
          setVisible(true);
          observer.disconnect();
        }
      },
      // A screen ahead: the next pages are there before the reader reaches them.
      { rootMargin: "100% 0px" },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    if (!visible || url) return;
    const abort = new AbortController();
    get<DownloadUrl>(`/files/download-url${query({ score_id: scoreId, page })}`, abort.signal).then(
      (answer) => {
        setUrl(answer.url);
        setMissing(false);
      },
      (error) => {
        if (error instanceof ApiError && error.status === 404) setMissing(true);
      },
    );
    return () => abort.abort();
    // `refreshKey`: the stream said more pages are rendered; `attempt`: the poll without it.
  }, [visible, scoreId, page, refreshKey, attempt, url]);

  useEffect(() => {
    if (!missing || live.streaming) return;
    const timer = window.setTimeout(() => setAttempt((n) => n + 1), 3000);
    return () => window.clearTimeout(timer);
  }, [missing, attempt]);

  return (
    <li ref={ref} class="page-thumb" data-page={page}>
      {url ? (
        <img
          src={url}
          alt={`Page ${page}`}
          onError={() => {
            // An expired URL: sign a fresh one, once (storage away would fail every time).
            if (imageRetries.current++ < 1) setUrl(null);
          }}
        />
      ) : (
        <span class="page-placeholder">{missing ? "Not rendered yet" : "…"}</span>
      )}
      <span class="page-number" aria-hidden="true">
        {page}
      </span>
    </li>
  );
}

function Tasks({ scoreId, status }: { scoreId: string; status: string }) {
  const { value } = useLoad(
    (signal) =>
      get<Page<Task> | Task[]>(`/tasks${query({ score_id: scoreId })}`, signal).catch((error) => {
        // A score without tasks of the caller is 404 (docs/API.md): nothing to show.
        if (error instanceof ApiError && error.status === 404) return [];
        throw error;
      }),
    [scoreId, status],
  );
  const tasks = Array.isArray(value) ? value : (value?.items ?? []);
  if (!tasks.length) return null;
  return (
    <details class="card tasks">
      <summary>Processing steps ({tasks.length})</summary>
      <ul>
        {tasks.map((task) => (
          <li key={task.id}>
            <strong>{task.kind}</strong>: {task.status}
            {task.try_count > 1 ? ` (try ${task.try_count})` : ""}
            {task.log.length ? <pre>{task.log.join("\n")}</pre> : null}
          </li>
        ))}
      </ul>
    </details>
  );
}

