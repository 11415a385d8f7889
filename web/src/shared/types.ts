// The shapes of the API's answers the pages use (contract/API.md and docs/API.md; the whole
// machine-readable document is docs/openapi.json).

export interface Page<T> {
  items: T[];
  page: number;
  page_size: number;
  total: number;
}

export interface User {
  id: string;
  email: string;
  plan: string;
  referral_code: string;
  email_verified?: boolean;
  created_at: string;
}

export type ScoreStatus = "processing" | "ready" | "failed";

export interface Score {
  id: string;
  title: string;
  composer: string | null;
  instrumentation: string | null;
  tags: string[];
  note: string | null;
  status: ScoreStatus;
  error: string | null;
  pages: number | null;
  page_sizes: number[][] | null;
  size_bytes: number;
  mime: string;
  content_hash: string;
  thumbnail_url: string | null;
  filled_from_pdf?: string[];
  /** Where the API keeps versions (docs/API.md); absent otherwise. */
  version?: number;
  created_at: string;
  updated_at: string;
}

export interface SetlistItem {
  score_id: string;
  order_index: number;
  title: string;
}

export interface Setlist {
  id: string;
  title: string;
  description: string | null;
  items: SetlistItem[];
  version?: number;
  created_at: string;
  updated_at: string;
}

export interface Usage {
  used_bytes: number;
  total_bytes: number;
  percent: number;
  warning: 80 | 95 | null;
  scores: number;
}

export interface PlanInfo {
  plan: string;
  base_quota_mb: number;
  bonus_mb: number;
  total_quota_mb: number;
}

export type TaskStatus = "PENDING" | "RUNNING" | "SUCCEEDED" | "FAILED";
export type TaskKind = "pdf_info" | "thumbnail" | "layout_hook";

export interface Task {
  id: string;
  score_id: string;
  kind: TaskKind;
  status: TaskStatus;
  try_count: number;
  log: string[];
  created_at: string;
  updated_at: string;
}

export interface AdminUser {
  user_id: string;
  plan: string;
  total_quota_bytes: number;
  used_bytes: number;
  created_at: string;
}

export interface AdminObject {
  key: string;
  user_id: string;
  score_id: string;
  kind: string;
  page: number | null;
  size_bytes: number;
  created_at: string;
}

export interface AccessLogEntry {
  id: number;
  user_id: string;
  action: string;
  score_id: string | null;
  object_key: string | null;
  request_id: string | null;
  at: string;
}

export interface DeadLetterQueue {
  queue: string;
  dead_letters: number;
}

export interface DownloadUrl {
  url: string;
  expires_at: string;
}

// Export and import of a whole library, the monthly report (issue 15; docs/API.md "Exports").

export type ExportStatus = "collecting" | "assembling" | "completed" | "failed" | "expired";

export interface ExportProgress {
  /** The parts the services wrote (library, profile, billing) of those the archive needs. */
  parts_received: number;
  parts_expected: number;
  /** Originals to pack into the archive (known once the library's part is in) and packed so far. */
  scores_total: number | null;
  scores_packed: number;
}

export interface LibraryExport {
  id: string;
  status: ExportStatus;
  /** The admin who asked for it (a data-subject request), or null: the user did. */
  requested_by: string | null;
  /** The moment the archive's library and setlists are as of. */
  as_of: string | null;
  progress: ExportProgress;
  size_bytes: number | null;
  scores: number | null;
  setlists: number | null;
  created_at: string;
  completed_at: string | null;
  /** When the archive is swept. */
  expires_at: string | null;
  /** Completed only: a fresh presigned GET on every read, valid until download_expires_at. */
  download_url: string | null;
  download_expires_at: string | null;
  error: string | null;
}

export type ImportStatus = "awaiting_upload" | "validating" | "importing" | "completed" | "refused" | "failed";

export interface ImportUpload {
  url: string;
  method?: "PUT";
  headers: Record<string, string>;
  expires_at: string;
}

export interface ImportProgress {
  bytes_read: number;
  bytes_total: number;
  scores_total: number;
  scores_stored: number;
  scores_failed: number;
}

export interface DuplicateSkipped {
  title: string;
  content_hash: string;
  existing_score_id: string;
}

export interface ImportReport {
  /** Scores handed on to be created. */
  scores_imported: number;
  duplicates_skipped: DuplicateSkipped[];
  /** Setlists in the archive. */
  setlists: number;
  /** Scores the archive lists without a PDF (never uploaded): not imported. */
  scores_without_file?: number;
  /** Scores left out after the check (the same file was uploaded meanwhile). */
  scores_skipped?: number;
  /** Known once the library created them (null before). */
  setlists_created?: number | null;
  /** Setlists equal to one the user already has. */
  setlists_skipped?: number | null;
}

/** Why an import was refused or failed: the problem's type slug, title and detail. */
export interface ImportProblem {
  type: string;
  title: string;
  detail: string | null;
}

export interface LibraryImport {
  id: string;
  status: ImportStatus;
  created_at: string;
  finished_at: string | null;
  /** awaiting_upload only: where to PUT the archive. */
  upload: ImportUpload | null;
  progress: ImportProgress;
  report: ImportReport | null;
  problem: ImportProblem | null;
}

export interface MonthlyReport {
  month: string;
  generated_at: string;
  signups: number;
  active_users: number;
  uploads: number;
  upload_bytes: number;
  pages_processed: number;
  failures: { total: number; by_reason: Record<string, number> };
  storage_bytes_in_use: number;
  plan_changes: number;
  referrals: number;
  exports: { completed: number; failed: number };
  imports: number;
  scores_deleted: number;
  accounts_deleted: number;
}
