import { useState } from "preact/hooks";

import { call, get, query } from "../shared/api";
import { ErrorNote, Pager, Spinner } from "../shared/components";
import { formatTime } from "../shared/format";
import { useLoad } from "../shared/hooks";
import { navigate } from "../shared/router";
import type { Page, Setlist } from "../shared/types";

const PAGE_SIZE = 20;

export function Setlists() {
  const [page, setPage] = useState(1);
  const { value, error } = useLoad(
    (signal) => get<Page<Setlist>>(`/setlists${query({ page, page_size: PAGE_SIZE })}`, signal),
    [page],
  );
  return (
    <section class="setlists">
      <h1>Setlists</h1>
      <NewSetlist />
      <ErrorNote error={error} />
      {!value && !error ? <Spinner label="Loading setlists…" /> : null}
      {value && value.items.length === 0 ? <p class="empty">No setlists yet.</p> : null}
      <ul class="setlist-list">
        {(value?.items ?? []).map((setlist) => (
          <li key={setlist.id} class="card">
            <a href={`#/setlists/${setlist.id}`}>{setlist.title}</a>
            <span class="muted">
              {" "}
              · {setlist.items.length} {setlist.items.length === 1 ? "piece" : "pieces"} · changed{" "}
              {formatTime(setlist.updated_at)}
            </span>
          </li>
        ))}
      </ul>
      {value ? <Pager page={page} pageSize={PAGE_SIZE} total={value.total} onPage={setPage} label="Setlist pages" /> : null}
    </section>
  );
}

function NewSetlist() {
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // One key per setlist being created: a retry after a lost answer creates it once.
  const [key, setKey] = useState(() => crypto.randomUUID());

  async function create(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { data } = await call<Setlist>("/setlists", {
        method: "POST",
        body: { title: title.trim(), description: description.trim() || null },
        idempotencyKey: key,
      });
      setKey(crypto.randomUUID());
      navigate(`/setlists/${data.id}`);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card new-setlist" onSubmit={create} aria-labelledby="new-setlist-heading">
      <h2 id="new-setlist-heading">New setlist</h2>
      <SetlistFields
        title={title}
        description={description}
        onTitle={setTitle}
        onDescription={setDescription}
      />
      <ErrorNote error={error} />
      <button type="submit" class="primary" disabled={busy}>
        Create setlist
      </button>
    </form>
  );
}

interface SetlistFieldsProps {
  title: string;
  description: string;
  onTitle: (value: string) => void;
  onDescription: (value: string) => void;
}

/** A setlist's title and description, as the create and the edit forms both ask them. */
export function SetlistFields({ title, description, onTitle, onDescription }: SetlistFieldsProps) {
  return (
    <>
      <label>
        Title
        <input
          name="title"
          required
          maxLength={200}
          value={title}
          onInput={(e) => onTitle(e.currentTarget.value)}
        />
      </label>
      <label>
        Description
        <input
          name="description"
          maxLength={2000}
          value={description}
          onInput={(e) => onDescription(e.currentTarget.value)}
        />
      </label>
    </>
  );
}
