// What the app (a user's own exports) and the console (an admin's data-subject exports) share of
// an export: its states and the archive's download link.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";

import { ApiError } from "./api";
import { ErrorNote } from "./components";
import type { ExportStatus, LibraryExport } from "./types";

// A link this close to its expiry is renewed first: the download must start before it lapses.
const DOWNLOAD_MARGIN_MS = 10_000;

export function isExportRunning(status: ExportStatus): boolean {
  return status === "collecting" || status === "assembling";
}

/** The export already under way that made a POST a 409 (`export-in-progress`), or null. */
export function exportInProgress(error: unknown): string | null {
  if (!(error instanceof ApiError) || error.slug !== "export-in-progress") return null;
  return typeof error.problem.export_id === "string" ? error.problem.export_id : null;
}

export const EXPORT_STATUS_LABEL: Record<ExportStatus, string> = {
  collecting: "Collecting",
  assembling: "Packing",
  completed: "Ready",
  failed: "Failed",
  expired: "Expired",
};

/** Save what `url` answers (signed as an attachment: the browser downloads it, the page stays). */
export function saveFrom(url: string, filename = ""): void {
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
}

interface DownloadProps {
  item: LibraryExport;
  /** A fresh read of the export (GET .../exports/{id}): its download URL is presigned anew. */
  renew: () => Promise<LibraryExport>;
  onRenewed: (fresh: LibraryExport) => void;
  children: ComponentChildren;
}

/** The archive's presigned link, followed as is while it is valid (minutes only); clicked after
 * that, it asks for the export again and downloads from the fresh URL. */
export function ExportDownloadLink({ item, renew, onRenewed, children }: DownloadProps) {
  const [error, setError] = useState<unknown>(null);

  async function click(event: MouseEvent) {
    const expires = Date.parse(item.download_expires_at ?? "");
    if (item.download_url && expires - Date.now() > DOWNLOAD_MARGIN_MS) return;
    event.preventDefault();
    setError(null);
    try {
      const fresh = await renew();
      onRenewed(fresh);
      if (fresh.download_url) saveFrom(fresh.download_url);
      else setError("This archive is no longer available: export your library again.");
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <>
      <a class="button" href={item.download_url ?? "#"} download="" onClick={(event) => void click(event)}>
        {children}
      </a>
      <ErrorNote error={error} />
    </>
  );
}
