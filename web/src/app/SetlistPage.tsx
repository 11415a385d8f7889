import Sortable from "sortablejs";
import { useEffect, useRef, useState } from "preact/hooks";

import { ApiError, call, get, query } from "../shared/api";
import { ErrorNote, Spinner } from "../shared/components";
import { useDebounced, useLoad } from "../shared/hooks";
import { navigate } from "../shared/router";
import type { Page, Score, Setlist } from "../shared/types";
import { live } from "./live";
import { SetlistFields } from "./Setlists";

interface Entry {
  /** The same score may be in a setlist twice: entries need keys of their own. */
  key: string;
  score_id: string;
  title: string;
}

let entryCounter = 0;

function entriesOf(setlist: Setlist): Entry[] {
  return [...setlist.items]
    .sort((a, b) => a.order_index - b.order_index)
    .map((item) => ({ key: `entry-${++entryCounter}`, score_id: item.score_id, title: item.title }));
}

export function SetlistPage({ id }: { id: string }) {
  const { value: setlist, setValue: setSetlist, error, reload } = useLoad(
    (signal) => get<Setlist>(`/setlists/${id}`, signal),
    [id],
  );
  const [entries, setEntries] = useState<Entry[]>([]);
  const [saving, setSaving] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<unknown>(null);
  const entriesRef = useRef(entries);
  entriesRef.current = entries;
  const setlistRef = useRef(setlist);
  setlistRef.current = setlist;
  const listRef = useRef<HTMLOListElement>(null);

  useEffect(() => {
    if (setlist) setEntries(entriesOf(setlist));
  }, [setlist]);

  useEffect(
    () =>
      live.on((change) => {
        if (change.kind !== "setlist" || change.id !== id) return;
        if (change.op === "delete") navigate("/setlists");
        else if (change.data && (change.data.version ?? 0) > (setlistRef.current?.version ?? 0)) {
          setSetlist(change.data);
        }
      }),
    [id, setSetlist],
  );

  /** The whole new order, against the version shown (a concurrent edit is a 412, not lost). */
  async function save(next: Entry[]) {
    const current = setlistRef.current;
    if (!current) return;
    setEntries(next);
    setSaving(true);
    setSaveError(null);
    setNotice(null);
    try {
      const { data } = await call<Setlist>(`/setlists/${id}/items`, {
        method: "POST",
        body: { score_ids: next.map((entry) => entry.score_id) },
        ifMatch: current.version,
        idempotencyKey: crypto.randomUUID(),
      });
      setSetlist(data);
      setNotice("Order saved.");
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 412) {
        setNotice("This setlist was changed on another device meanwhile: its latest order is shown.");
      } else {
        setSaveError(caught);
      }
      reload();
    } finally {
      setSaving(false);
    }
  }

  const saveRef = useRef(save);
  saveRef.current = save;

  useEffect(() => {
    const list = listRef.current;
    if (!list) return;
    const sortable = Sortable.create(list, {
      handle: ".drag-handle",
      animation: 150,
      // Pointer events rather than HTML5 drag and drop: the same on a phone's touch screen.
      forceFallback: true,
      onEnd: (event) => {
        const { oldIndex, newIndex, item, from } = event;
        if (oldIndex === undefined || newIndex === undefined || oldIndex === newIndex) return;
        // Preact owns these elements: put the moved one back and let the new order render.
        from.removeChild(item);
        from.insertBefore(item, from.children[oldIndex] ?? null);
        const next = [...entriesRef.current];
        const [moved] = next.splice(oldIndex, 1);
        next.splice(newIndex, 0, moved);
        void saveRef.current(next);
      },
    });
    return () => sortable.destroy();
  }, [setlist !== null]);

  function move(index: number, by: number) {
    const target = index + by;
    if (target < 0 || target >= entries.length) return;
    const next = [...entries];
    [next[index], next[target]] = [next[target], next[index]];
    void save(next);
  }

  if (error) return <ErrorNote error={error} />;
  if (!setlist) return <Spinner label="Loading the setlist…" />;

  return (
    <article class="setlist-page">
      <p class="no-print">
        <a href="#/setlists">← Setlists</a>
      </p>
      <div class="score-head">
        <div>
          <h1>{setlist.title}</h1>
          {setlist.description ? <p class="lead">{setlist.description}</p> : null}
        </div>
        <div class="actions no-print">
          <button type="button" onClick={() => window.print()}>
            Print
          </button>
          <DeleteSetlist setlist={setlist} />
        </div>
      </div>
      <p class="notice no-print" role="status">
        {saving ? "Saving…" : (notice ?? "")}
      </p>
      <ErrorNote error={saveError} />
      {entries.length === 0 ? <p class="empty">No pieces yet: add some from your library below.</p> : null}
      <ol class="setlist-items" ref={listRef} aria-label="Pieces in order">
        {entries.map((entry, index) => (
          <li key={entry.key} class="setlist-item" data-score-id={entry.score_id}>
            <span class="drag-handle no-print" title="Drag to reorder" aria-hidden="true">
              ⠿
            </span>
            <a class="setlist-item-title" href={`#/scores/${entry.score_id}`}>
              {entry.title}
            </a>
            <span class="item-actions no-print">
              <button type="button" class="small" disabled={index === 0} onClick={() => move(index, -1)}>
                Up<span class="visually-hidden">: move {entry.title} earlier</span>
              </button>
              <button
                type="button"
                class="small"
                disabled={index === entries.length - 1}
                onClick={() => move(index, 1)}
              >
                Down<span class="visually-hidden">: move {entry.title} later</span>
              </button>
              <button
                type="button"
                class="small"
                onClick={() => void save(entries.filter((other) => other.key !== entry.key))}
              >
                Remove<span class="visually-hidden"> {entry.title}</span>
              </button>
            </span>
          </li>
        ))}
      </ol>
      <AddScores onAdd={(score) => void save([...entries, { key: `entry-${++entryCounter}`, score_id: score.id, title: score.title }])} />
      <RenameSetlist setlist={setlist} onSaved={setSetlist} onConflict={reload} />
    </article>
  );
}

function AddScores({ onAdd }: { onAdd: (score: Score) => void }) {
  const [search, setSearch] = useState("");
  const wanted = useDebounced(search.trim(), 250);
  const { value } = useLoad(
    (signal) => get<Page<Score>>(`/scores${query({ query: wanted, page_size: 10 })}`, signal),
    [wanted],
  );
  return (
    <section class="card add-scores no-print" aria-labelledby="add-heading">
      <h2 id="add-heading">Add from your library</h2>
      <label>
        Find a score
        <input type="search" name="find" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
      </label>
      <ul class="add-list">
        {(value?.items ?? []).map((score) => (
          <li key={score.id}>
            <span>{score.title}</span>
            <button type="button" class="small" onClick={() => onAdd(score)}>
              Add<span class="visually-hidden"> {score.title}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function RenameSetlist({
  setlist,
  onSaved,
  onConflict,
}: {
  setlist: Setlist;
  onSaved: (setlist: Setlist) => void;
  onConflict: () => void;
}) {
  const [title, setTitle] = useState(setlist.title);
  const [description, setDescription] = useState(setlist.description ?? "");
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setTitle(setlist.title);
    setDescription(setlist.description ?? "");
  }, [setlist.version, setlist.updated_at]);

  async function submit(event: Event) {
    event.preventDefault();
    setError(null);
    try {
      const { data } = await call<Setlist>(`/setlists/${setlist.id}`, {
        method: "PATCH",
        ifMatch: setlist.version,
        body: { title: title.trim(), description: description.trim() || null },
      });
      onSaved(data);
    } catch (caught) {
      setError(caught);
      if (caught instanceof ApiError && caught.status === 412) onConflict();
    }
  }

  return (
    <details class="card no-print">
      <summary>Rename or describe</summary>
      <form onSubmit={submit}>
        <SetlistFields
          title={title}
          description={description}
          onTitle={setTitle}
          onDescription={setDescription}
        />
        <ErrorNote error={error} />
        <button type="submit">Save</button>
      </form>
    </details>
  );
}

function DeleteSetlist({ setlist }: { setlist: Setlist }) {
  const [error, setError] = useState<unknown>(null);
  async function remove() {
    if (!window.confirm(`Delete the setlist “${setlist.title}”? Its scores stay in your library.`)) return;
    try {
      await call(`/setlists/${setlist.id}`, { method: "DELETE", ifMatch: setlist.version });
      navigate("/setlists");
    } catch (caught) {
      setError(caught);
    }
  }
  return (
    <>
      <button type="button" class="danger" onClick={() => void remove()}>
        Delete
      </button>
      <ErrorNote error={error} />
    </>
  );
}
