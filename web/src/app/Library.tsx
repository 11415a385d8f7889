import { useCallback, useEffect, useRef, useState } from "preact/hooks";

import { get, query } from "../shared/api";
import { ErrorNote, Pager } from "../shared/components";
import { useDebounced, useLoad, useSubscription } from "../shared/hooks";
import type { Page, Score } from "../shared/types";
import { live } from "./live";
import { UploadPanel } from "./UploadPanel";
import { uploads } from "./uploads";
import { usageStore } from "./usage";

const PAGE_SIZE = 24;
// While a score is processing: how often its state is asked for, with and without the stream
// (with it, only as a safety net for a change that slipped by between two connections).
const POLL_MS = 2_000;
const POLL_WHILE_STREAMING_MS = 10_000;
const onLiveState = (listener: () => void) => live.onState(listener);

export function Library() {
  const [search, setSearch] = useState("");
  const [tag, setTag] = useState("");
  const [page, setPage] = useState(1);
  const wantedSearch = useDebounced(search.trim(), 250);
  const wantedTag = useDebounced(tag.trim(), 250);
  const filtered = Boolean(wantedSearch || wantedTag);

  const { value: result, setValue: setResult, error, reload } = useLoad(
    (signal) =>
      get<Page<Score>>(
        `/scores${query({ query: wantedSearch, tag: wantedTag, page, page_size: PAGE_SIZE })}`,
        signal,
      ),
    [wantedSearch, wantedTag, page],
  );
  useEffect(() => setPage(1), [wantedSearch, wantedTag]);

  // One score changed (the stream, a poll, an upload): replace it where it is shown; a new one
  // goes first on the unfiltered first page (listings are newest first).
  const apply = useCallback(
    (score: Score | null, id: string) => {
      setResult((current) => {
        if (!current) return current;
        const at = current.items.findIndex((item) => item.id === id);
        if (score === null) {
          if (at < 0) return current;
          return { ...current, items: current.items.filter((item) => item.id !== id), total: current.total - 1 };
        }
        if (at >= 0) {
          const items = [...current.items];
          // A stale answer never replaces a newer one.
          if ((items[at].version ?? 0) > (score.version ?? 0)) return current;
          items[at] = score;
          return { ...current, items };
        }
        if (filtered || page !== 1) return current;
        return { ...current, items: [score, ...current.items].slice(0, PAGE_SIZE), total: current.total + 1 };
      });
    },
    [filtered, page, setResult],
  );

  useEffect(
    () =>
      live.on((change) => {
        if (change.kind !== "score") return;
        apply(change.op === "delete" ? null : change.data, change.id);
        usageStore.refreshSoon();
      }),
    [apply],
  );
  useEffect(() => uploads.onCreated((score) => apply(score, score.id)), [apply]);
  // The stream (re)connected or dropped: a change may have slipped by meanwhile.
  useEffect(() => live.onState(reload), [reload]);
  useSubscription(onLiveState);

  const processing = (result?.items ?? []).filter((score) => score.status === "processing").map((s) => s.id);
  const processingKey = processing.join(",");
  useEffect(() => {
    if (!processingKey) return;
    const timer = window.setInterval(
      () => {
        for (const id of processingKey.split(",")) {
          get<Score>(`/scores/${id}`).then(
            (score) => {
              apply(score, id);
              if (score.status !== "processing") usageStore.refreshSoon();
            },
            () => undefined,
          );
        }
      },
      live.streaming ? POLL_WHILE_STREAMING_MS : POLL_MS,
    );
    return () => window.clearInterval(timer);
  }, [processingKey, apply, live.streaming]);

  const tags = [...new Set((result?.items ?? []).flatMap((score) => score.tags))].sort();

  return (
    <section class="library">
      <div class="section-head">
        <h1>Library</h1>
        <p class="muted" aria-live="polite">
          {result ? `${result.total} ${result.total === 1 ? "score" : "scores"}${filtered ? " found" : ""}` : ""}
        </p>
      </div>
      <UploadPanel />
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search
          <input
            type="search"
            name="query"
            placeholder="Title, composer, instrumentation, note"
            value={search}
            onInput={(e) => setSearch(e.currentTarget.value)}
          />
        </label>
        <label>
          Tag
          <input
            type="search"
            name="tag"
            list="known-tags"
            placeholder="Any tag"
            value={tag}
            onInput={(e) => setTag(e.currentTarget.value)}
          />
        </label>
        <datalist id="known-tags">
          {tags.map((known) => (
            <option key={known} value={known} />
          ))}
        </datalist>
      </form>
      <ErrorNote error={error} />
      {result && result.items.length === 0 ? (
        <p class="empty">
          {filtered ? "Nothing matches." : "Your library is empty: drop PDFs above or choose them to upload."}
        </p>
      ) : null}
      <ul class="score-grid" aria-label="Scores">
        {(result?.items ?? []).map((score) => (
          <ScoreCard key={score.id} score={score} />
        ))}
      </ul>
      {result ? (
        <Pager page={page} pageSize={PAGE_SIZE} total={result.total} onPage={setPage} label="Library pages" />
      ) : null}
    </section>
  );
}

function ScoreCard({ score }: { score: Score }) {
  return (
    <li class={`score-card status-${score.status}`} data-score-id={score.id} data-status={score.status}>
      <a href={`#/scores/${score.id}`}>
        <Cover score={score} />
        <span class="score-title">{score.title}</span>
        <span class="score-composer">{score.composer ?? " "}</span>
      </a>
    </li>
  );
}

function Cover({ score }: { score: Score }) {
  // A presigned URL lives a few minutes: an image that failed to load (expired) asks for the
  // score again once, which signs a fresh one.
  const [url, setUrl] = useState(score.thumbnail_url);
  const retried = useRef(false);
  useEffect(() => setUrl(score.thumbnail_url), [score.thumbnail_url]);
  if (score.status === "failed") {
    return (
      <span class="cover cover-failed" role="img" aria-label={`Processing failed: ${score.error ?? ""}`}>
        Failed
      </span>
    );
  }
  if (!url) {
    return (
      <span class="cover cover-pending" role="img" aria-label="Cover not ready yet">
        Processing…
      </span>
    );
  }
  return (
    <img
      class="cover"
      src={url}
      alt=""
      loading="lazy"
      onError={() => {
        if (retried.current) return;
        retried.current = true;
        get<Score>(`/scores/${score.id}`).then((fresh) => setUrl(fresh.thumbnail_url), () => undefined);
      }}
    />
  );
}
