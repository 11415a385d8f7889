import { useState } from "preact/hooks";

import { formatBytes } from "../shared/format";
import { useSubscription } from "../shared/hooks";
import { isActive, type UploadItem, uploads } from "./uploads";

const subscribeUploads = (listener: () => void) => uploads.subscribe(listener);

function pdfsOf(list: FileList | null): File[] {
  return Array.from(list ?? []).filter((file) => file.type === "application/pdf" || /\.pdf$/i.test(file.name));
}

/** Drop PDFs here, or choose them: each gets its own progress bar. */
export function UploadPanel() {
  useSubscription(subscribeUploads);
  const [over, setOver] = useState(false);
  const [refused, setRefused] = useState<string | null>(null);

  function take(list: FileList | null) {
    const files = pdfsOf(list);
    const skipped = (list?.length ?? 0) - files.length;
    setRefused(skipped > 0 ? `${skipped} file(s) skipped: only PDFs can be uploaded.` : null);
    if (files.length) uploads.add(files);
  }

  const finished = uploads.items.some((item) => !isActive(item.phase));
  return (
    <section class="uploads" aria-labelledby="upload-heading">
      <h2 id="upload-heading" class="visually-hidden">
        Upload
      </h2>
      <div
        class={`dropzone${over ? " dropzone-over" : ""}`}
        onDragOver={(event) => {
          event.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(event) => {
          event.preventDefault();
          setOver(false);
          take(event.dataTransfer?.files ?? null);
        }}
      >
        <p>Drop PDF scores here, or</p>
        <label class="button primary">
          Choose PDFs
          <input
            class="visually-hidden"
            type="file"
            name="files"
            accept="application/pdf,.pdf"
            multiple
            onChange={(event) => {
              take(event.currentTarget.files);
              event.currentTarget.value = "";
            }}
          />
        </label>
      </div>
      {refused ? <p class="notice notice-warning">{refused}</p> : null}
      {uploads.items.length ? (
        <ul class="upload-list" aria-label="Uploads">
          {uploads.items.map((item) => (
            <UploadRow key={item.key} item={item} />
          ))}
        </ul>
      ) : null}
      {finished ? (
        <button type="button" class="link" onClick={() => uploads.clearFinished()}>
          Clear finished uploads
        </button>
      ) : null}
    </section>
  );
}

const PHASE_TEXT: Record<UploadItem["phase"], string> = {
  queued: "Waiting",
  hashing: "Checking",
  uploading: "Uploading",
  creating: "Adding to your library",
  done: "Added to your library",
  duplicate: "Already in your library",
  error: "Failed",
  cancelled: "Cancelled",
};

function UploadRow({ item }: { item: UploadItem }) {
  const active = isActive(item.phase);
  const fraction = item.file.size ? item.progress / item.file.size : 1;
  return (
    <li class={`upload upload-${item.phase}`} data-phase={item.phase}>
      <div class="upload-head">
        <span class="upload-name">{item.file.name}</span>
        <span class="muted">{formatBytes(item.file.size)}</span>
      </div>
      <label class="upload-progress">
        <span class="visually-hidden">Upload of {item.file.name}</span>
        <progress max={1} value={item.phase === "hashing" || item.phase === "uploading" ? fraction : 1} />
      </label>
      <p class="upload-state" role="status">
        {PHASE_TEXT[item.phase]}
        {item.phase === "uploading" ? ` ${Math.round(fraction * 100)} %${item.multipart ? " (in parts)" : ""}` : ""}
        {item.phase === "done" && item.scoreId ? (
          <>
            {" "}
            <a href={`#/scores/${item.scoreId}`}>open</a>
          </>
        ) : null}
        {item.phase === "duplicate" && item.existingScoreId ? (
          <>
            {" "}
            <a href={`#/scores/${item.existingScoreId}`}>open it</a>
          </>
        ) : null}
        {item.error ? `: ${item.error}` : ""}
      </p>
      {active ? (
        <button type="button" class="small" onClick={() => uploads.cancel(item.key)}>
          Cancel<span class="visually-hidden"> the upload of {item.file.name}</span>
        </button>
      ) : null}
    </li>
  );
}
