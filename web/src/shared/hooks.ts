import { useCallback, useEffect, useState } from "preact/hooks";

import { describe } from "./api";

/** Re-render whenever `subscribe`'s source says it changed. */
export function useSubscription(subscribe: (listener: () => void) => () => void): void {
  const [, setTick] = useState(0);
  useEffect(() => subscribe(() => setTick((n) => n + 1)), [subscribe]);
}

/** The latest value of `load()`, reloaded when `deps` change or `reload()` is called. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]) {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  useEffect(() => {
    const abort = new AbortController();
    load(abort.signal).then(
      (result) => {
        if (!abort.signal.aborted) {
          setValue(result);
          setError(null);
        }
      },
      (caught) => {
        if (!abort.signal.aborted) setError(describe(caught));
      },
    );
    return () => abort.abort();
  }, [...deps, generation]);
  return { value, setValue, error, reload };
}

/** `value`, but only once it has stood still for `ms` (search as you type). */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return settled;
}
