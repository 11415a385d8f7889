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
