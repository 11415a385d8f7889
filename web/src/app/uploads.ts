// The client side of an upload (README's walk-through, docs/API.md "Files" and "Resumable
// uploads"): hash the file, ask for an upload URL (resumable where the API offers it), PUT the
// bytes straight to storage through the gateway's /s3/ with a progress bar, create the score.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

import { ApiError, call, describe } from "../shared/api";
import type { Score } from "../shared/types";

export type UploadPhase =
  | "queued"
  | "hashing"
  | "uploading"
  | "creating"
  | "done"
  | "duplicate"
  | "error"
  | "cancelled";

export interface UploadItem {
  key: string;
  file: File;
  title: string;
  phase: UploadPhase;
  /** Bytes hashed or sent, of `file.size`, for the progress bar of the current phase. */
  progress: number;
  multipart: boolean;
  scoreId: string | null;
  existingScoreId: string | null;
  error: string | null;
}

interface SinglePut {
  method: "PUT";
  score_id: string;
  upload_token: string;
  url: string;
  headers: Record<string, string>;
}

interface PartUrl {
  part_number: number;
  url: string;
  size_bytes: number;
  headers: Record<string, string>;
}

interface Multipart {
  method: "MULTIPART";
  score_id: string;
  upload_token: string;
  part_size: number;
  parts: PartUrl[];
  urls_expire_at: string;
}

interface UploadState {
  missing: PartUrl[];
  urls_expire_at: string;
}

// Browsers set these themselves (from the body); a script may not.
const FORBIDDEN_HEADERS = new Set(["content-length", "host", "connection"]);
const HASH_CHUNK = 4 * 1024 * 1024;
const PART_CONCURRENCY = 3;
// Files sent at once; the others wait their turn (a folder of fifty is not fifty connections).
const FILE_CONCURRENCY = 2;
const PART_TRIES = 3;
// Part URLs are asked for again this long before they expire.
const URL_MARGIN_MS = 30_000;

/** "Wie_schön_leuchtet.pdf" -> "Wie schön leuchtet": a title the person can change later. */
export function titleFromFilename(name: string): string {
  const bare = name.replace(/\.pdf$/i, "").replace(/_+/g, " ").replace(/\s+/g, " ").trim();
  return (bare || "Untitled score").slice(0, 300);
}

async function hashFile(file: File, onProgress: (bytes: number) => void, signal: AbortSignal): Promise<string> {
  // Incremental: a 200 MB scan is never held in memory whole, and this works on a plain-http
  // origin, where the browser offers no crypto.subtle.
  const hash = sha256.create();
  for (let offset = 0; offset < file.size; offset += HASH_CHUNK) {
    signal.throwIfAborted();
    hash.update(new Uint8Array(await file.slice(offset, offset + HASH_CHUNK).arrayBuffer()));
    onProgress(Math.min(file.size, offset + HASH_CHUNK));
  }
  return bytesToHex(hash.digest());
}

export function put(
  url: string,
  headers: Record<string, string>,
  body: Blob,
  onProgress: (bytes: number) => void,
  signal: AbortSignal,
): Promise<string | null> {
  // XMLHttpRequest, not fetch: only it reports upload progress.
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    for (const [name, value] of Object.entries(headers)) {
      if (!FORBIDDEN_HEADERS.has(name.toLowerCase())) xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr.getResponseHeader("ETag"));
      else reject(new Error(`storage refused the upload (HTTP ${xhr.status})`));
    };
    xhr.onerror = () => reject(new Error("the connection dropped during the upload"));
    xhr.onabort = () => reject(new DOMException("cancelled", "AbortError"));
    signal.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}

type Listener = () => void;

export function isActive(phase: UploadPhase): boolean {
  return phase === "queued" || phase === "hashing" || phase === "uploading" || phase === "creating";
}

export class UploadQueue {
  items: UploadItem[] = [];
  private listeners = new Set<Listener>();
  private createdListeners = new Set<(score: Score) => void>();
  private aborts = new Map<string, AbortController>();
  private counter = 0;
  private active = 0;
  private waiting: (() => void)[] = [];

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Each score as soon as it exists (still processing): the library shows it at once. */
  onCreated(listener: (score: Score) => void): () => void {
    this.createdListeners.add(listener);
    return () => this.createdListeners.delete(listener);
  }

  private update(key: string, change: Partial<UploadItem>): void {
    this.items = this.items.map((item) => (item.key === key ? { ...item, ...change } : item));
    for (const listener of this.listeners) listener();
  }

  add(files: File[]): void {
    for (const file of files) {
      const item: UploadItem = {
        key: `upload-${++this.counter}`,
        file,
        title: titleFromFilename(file.name),
        phase: "queued",
        progress: 0,
        multipart: false,
        scoreId: null,
        existingScoreId: null,
        error: null,
      };
      this.items = [...this.items, item];
      const abort = new AbortController();
      this.aborts.set(item.key, abort);
      void this.inTurn(() => this.run(item, abort.signal)).finally(() => this.aborts.delete(item.key));
    }
    for (const listener of this.listeners) listener();
  }

  private async inTurn(work: () => Promise<void>): Promise<void> {
    if (this.active >= FILE_CONCURRENCY) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      await work();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }

  cancel(key: string): void {
    this.aborts.get(key)?.abort();
  }

  /** Signed out: stop every upload and forget them all. */
  reset(): void {
    for (const abort of this.aborts.values()) abort.abort();
    this.items = [];
    for (const listener of this.listeners) listener();
  }

  /** Forget the finished ones. */
  clearFinished(): void {
    this.items = this.items.filter((item) => isActive(item.phase));
    for (const listener of this.listeners) listener();
  }

  private async run(item: UploadItem, signal: AbortSignal): Promise<void> {
    const { key, file } = item;
    let scoreId: string | null = null;
    let created = false;
    try {
      signal.throwIfAborted();
      this.update(key, { phase: "hashing" });
      if (file.size === 0) throw new Error("the file is empty");
      if (file.type && file.type !== "application/pdf" && !/\.pdf$/i.test(file.name)) {
        throw new Error("only PDF files can be uploaded");
      }
      const contentHash = await hashFile(file, (bytes) => this.update(key, { progress: bytes }), signal);
      const { data: upload } = await call<SinglePut | Multipart>("/files/upload-url", {
        method: "POST",
        body: {
          filename: file.name.slice(0, 255),
          size_bytes: file.size,
          mime: "application/pdf",
          content_hash: contentHash,
          // Large files go in parts where the API offers it; a server without it ignores this.
          resumable: true,
        },
        signal,
      });
      scoreId = upload.score_id;
      this.update(key, { phase: "uploading", progress: 0, scoreId, multipart: upload.method === "MULTIPART" });
      const progress = (bytes: number) => this.update(key, { progress: bytes });
      if (upload.method === "MULTIPART") {
        await this.sendParts(upload, file, progress, signal);
      } else {
        await put(upload.url, upload.headers, file, progress, signal);
      }
      this.update(key, { phase: "creating", progress: file.size });
      const { data: score } = await call<Score>("/scores", {
        method: "POST",
        body: { upload_token: upload.upload_token, title: item.title },
        idempotencyKey: crypto.randomUUID(),
      });
      created = true;
      this.update(key, { phase: "done" });
      for (const listener of this.createdListeners) listener(score);
    } catch (error) {
      if (error instanceof ApiError && error.slug === "duplicate-score") {
        this.update(key, {
          phase: "duplicate",
          existingScoreId: (error.problem.existing_score_id as string) ?? null,
        });
      } else if (signal.aborted) {
        this.update(key, { phase: "cancelled" });
      } else {
        this.update(key, { phase: "error", error: describe(error) });
      }
      if (scoreId && !created) {
        // Give the reservation back at once rather than when its URL expires.
        await call(`/files/uploads/${scoreId}`, { method: "DELETE" }).catch(() => undefined);
      }
    }
  }

  private async sendParts(
    upload: Multipart,
    file: File,
    onProgress: (bytes: number) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const sent = new Map<number, number>();
    const etags = new Map<number, string>();
    const urls = new Map(upload.parts.map((part) => [part.part_number, part]));
    let urlsExpire = Date.parse(upload.urls_expire_at);
    const report = () => onProgress([...sent.values()].reduce((a, b) => a + b, 0));

    const freshUrls = async () => {
      // The resume: the parts storage lacks, with new URLs (docs/API.md, GET /files/uploads/{id}).
      const { data } = await call<UploadState>(`/files/uploads/${upload.score_id}`, { signal });
      for (const part of data.missing) urls.set(part.part_number, part);
      urlsExpire = Date.parse(data.urls_expire_at);
    };

    const sendPart = async (partNumber: number) => {
      for (let attempt = 1; ; attempt++) {
        if (Date.now() > urlsExpire - URL_MARGIN_MS) await freshUrls();
        const part = urls.get(partNumber)!;
        const start = (partNumber - 1) * upload.part_size;
        try {
          const etag = await put(
            part.url,
            part.headers,
            file.slice(start, start + part.size_bytes),
            (bytes) => {
              sent.set(partNumber, bytes);
              report();
            },
            signal,
          );
          etags.set(partNumber, (etag ?? "").replace(/"/g, ""));
          return;
        } catch (error) {
          sent.set(partNumber, 0);
          if (signal.aborted || attempt >= PART_TRIES) throw error;
          await freshUrls();
        }
      }
    };

    const queue = upload.parts.map((part) => part.part_number);
    const worker = async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) await sendPart(next);
    };
    await Promise.all(Array.from({ length: Math.min(PART_CONCURRENCY, queue.length) }, worker));
    const parts = [...etags].map(([part_number, etag]) => ({ part_number, etag }));
    // The ETags make the server check it joins exactly what was sent; without them (storage did
    // not expose one) it lists the parts itself.
    await call(`/files/uploads/${upload.score_id}/complete`, {
      method: "POST",
      body: parts.every((part) => part.etag) ? { parts } : undefined,
      signal,
    });
  }
}

export const uploads = new UploadQueue();
