import { useState } from "preact/hooks";

import { call, describe, get } from "../shared/api";
import { ErrorNote, Spinner } from "../shared/components";
import { useLoad } from "../shared/hooks";
import type { DeadLetterQueue } from "../shared/types";

const SERVICES = ["auth", "files", "library", "processor", "billing", "sync", "exports"];

interface ServiceQueues {
  service: string;
  queues: DeadLetterQueue[];
  error: string | null;
}

export function DeadLetters() {
  const [notice, setNotice] = useState<string | null>(null);
  const { value, error, reload } = useLoad(
    (signal) =>
      Promise.all(
        SERVICES.map((service) =>
          get<DeadLetterQueue[]>(`/admin/dead-letters/${service}`, signal).then(
            (queues): ServiceQueues => ({ service, queues, error: null }),
            // One service away does not hide the others' queues.
            (caught): ServiceQueues => ({ service, queues: [], error: describe(caught) }),
          ),
        ),
      ),
    [],
  );

  async function replay(service: string, queue: string) {
    setNotice(null);
    try {
      const { data } = await call<{ queue: string; replayed: number }>(
        `/admin/dead-letters/${service}/${encodeURIComponent(queue)}/replay`,
        { method: "POST" },
      );
      setNotice(`Replayed ${data.replayed} message${data.replayed === 1 ? "" : "s"} of ${data.queue}.`);
      reload();
    } catch (caught) {
      setNotice(`Replay refused: ${describe(caught)}`);
    }
  }

  const waiting = (value ?? []).flatMap(({ service, queues }) =>
    queues.map((queue) => ({ service, ...queue })),
  );
  return (
    <section>
      <h1>Dead letters</h1>
      <p class="hint">
        Messages a consumer gave up on, per queue. A replay sends them back to their queue with the retry count
        reset; consumers are idempotent.
      </p>
      <p class="notice" role="status">
        {notice ?? ""}
      </p>
      <ErrorNote error={error} />
      <button type="button" onClick={reload}>
        Refresh
      </button>
      {!value && !error ? <Spinner label="Loading queues…" /> : null}
      {(value ?? [])
        .filter((s) => s.error)
        .map((s) => (
          <p key={s.service} class="notice notice-error">
            {s.service}: {s.error}
          </p>
        ))}
      {value ? (
        <div class="table-scroll">
          <table>
            <caption class="visually-hidden">Dead-lettered messages per queue</caption>
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">Queue</th>
                <th scope="col">Messages</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {waiting.map((queue) => (
                <tr key={queue.queue} data-queue={queue.queue} data-dead-letters={queue.dead_letters}>
                  <td>{queue.service}</td>
                  <td class="mono">{queue.queue}</td>
                  <td>{queue.dead_letters}</td>
                  <td>
                    {queue.dead_letters > 0 ? (
                      <button type="button" class="small" onClick={() => void replay(queue.service, queue.queue)}>
                        Replay<span class="visually-hidden"> {queue.queue}</span>
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
