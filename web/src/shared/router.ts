// Routes live in the URL's fragment (#/scores/<id>): the gateway's paths belong to the API
// (/scores, /setlists, /admin/tasks, ...), so the pages never claim one beyond / and /admin/.
import { useEffect, useState } from "preact/hooks";

export function currentRoute(): string {
  const hash = window.location.hash.replace(/^#/, "");
  return hash.startsWith("/") ? hash : `/${hash}`;
}

export function useRoute(): string {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const changed = () => setRoute(currentRoute());
    window.addEventListener("hashchange", changed);
    return () => window.removeEventListener("hashchange", changed);
  }, []);
  return route;
}

export function navigate(route: string): void {
  window.location.hash = route;
}

/** `match("/scores/:id", "/scores/42")` gives `{id: "42"}`, or null. */
export function match(pattern: string, route: string): Record<string, string> | null {
  const want = pattern.split("/");
  const got = route.split("?")[0].split("/");
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(":")) params[want[i].slice(1)] = decodeURIComponent(got[i]);
    else if (want[i] !== got[i]) return null;
  }
  return params;
}

/** The query part of a route (`#/files?user=...`). */
export function routeQuery(route: string): URLSearchParams {
  const at = route.indexOf("?");
  return new URLSearchParams(at < 0 ? "" : route.slice(at + 1));
}
