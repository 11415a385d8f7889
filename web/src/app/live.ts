// Changes to the library as they happen: the sync service's Server-Sent Events (GET /sync/stream)
// read with fetch, because EventSource cannot send the Authorization header. Where the gateway
// has no stream (an older server, the sync service down) the views poll instead; `streaming`
// says which.
import { createParser } from "eventsource-parser";

import { session } from "../shared/session";
import type { Score, Setlist } from "../shared/types";

export interface ThumbnailsProgress {
  score_id: string;
  pages_done: number;
  pages_total: number;
  done: boolean;
}

export type Change =
  | { kind: "score"; id: string; op: "upsert" | "delete"; version: number; data: Score | null }
  | { kind: "setlist"; id: string; op: "upsert" | "delete"; version: number; data: Setlist | null }
  | { kind: "thumbnails"; id: string; op: "upsert" | "delete"; version: number; data: ThumbnailsProgress | null };

type Listener = (change: Change) => void;

// A stream the gateway does not have (or cannot reach) is asked for again this much later.
const UNAVAILABLE_RETRY_MS = 30_000;
const RECONNECT_MS = 1_000;

export class LiveChanges {
  streaming = false;
  private listeners = new Set<Listener>();
  private stateListeners = new Set<() => void>();
  private abort: AbortController | null = null;
  private lastEventId: string | null = null;
  private running = false;
  // A stop and a start in quick succession (sign out, sign in): the old loop ends, never two.
  private generation = 0;

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called when the stream connects or drops: a view reloads once (a change may have slipped
   * by while no stream was open) and chooses between waiting and polling. */
  onState(listener: () => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.loop(++this.generation);
  }

  stop(): void {
    this.running = false;
    this.abort?.abort();
    this.setStreaming(false);
  }

  private setStreaming(streaming: boolean): void {
    if (this.streaming === streaming) return;
    this.streaming = streaming;
    for (const listener of this.stateListeners) listener();
  }

  private async loop(generation: number): Promise<void> {
    const current = () => this.running && generation === this.generation;
    while (current()) {
      const wait = await this.connect().catch(() => RECONNECT_MS);
      if (!current()) return;
      this.setStreaming(false);
      await new Promise((resolve) => window.setTimeout(resolve, wait));
    }
  }

  /** One connection, read until it ends; returns how long to wait before the next. */
  private async connect(): Promise<number> {
    const token = await session.accessToken();
    if (!token) return RECONNECT_MS;
    this.abort = new AbortController();
    const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: "text/event-stream" };
    if (this.lastEventId) headers["Last-Event-ID"] = this.lastEventId;
    const response = await fetch("/sync/stream", { headers, signal: this.abort.signal, credentials: "omit" });
    if (response.status === 401) {
      return (await session.refresh()) ? 0 : UNAVAILABLE_RETRY_MS;
    }
    if (response.status === 400 || response.status === 410) {
      // A cursor the server no longer knows: start from now and reload the views.
      this.lastEventId = null;
      return 0;
    }
    if (!response.ok || !response.body) return UNAVAILABLE_RETRY_MS;
    this.setStreaming(true);
    const parser = createParser({
      onEvent: (event) => {
        if (event.id) this.lastEventId = event.id;
        if (event.event === "change") {
          const change = JSON.parse(event.data) as Change;
          for (const listener of this.listeners) listener(change);
        } else if (event.event === "reset") {
          // Changes were missed: the views reload what they show.
          for (const listener of this.stateListeners) listener();
        }
      },
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(value);
    }
    // The server closed it (an expired token, a restart): reconnect where we were.
    return RECONNECT_MS;
  }
}

export const live = new LiveChanges();
