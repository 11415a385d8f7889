// The one way the pages talk to ScoreMate: same-origin calls to the gateway's public and admin
// API (docs/API.md), problem+json errors turned into ApiError, a 401 answered by one quiet
// refresh of the access token and one retry.
import { session } from "./session";

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { field: string; message: string }[];
  [extra: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(status: number, problem: Problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }

  /** The problem's slug: the last segment of its type (`quota-exceeded`). */
  get slug(): string {
    return (this.problem.type ?? "").split("/").pop() ?? "";
  }
}

export interface CallOptions {
  method?: string;
  body?: unknown;
  /** The version the change is based on: sent as If-Match where the API keeps versions. */
  ifMatch?: number | null;
  /** Makes a creating POST safe to send again (docs/API.md, Idempotency-Key). */
  idempotencyKey?: string;
  signal?: AbortSignal;
  /** Calls that need no access token (register, login). */
  anonymous?: boolean;
  /** The representation wanted where the API offers another than JSON (`text/csv`). */
  accept?: string;
}

export interface Reply<T> {
  status: number;
  data: T;
  etag: string | null;
}

async function send(path: string, options: CallOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: options.accept ?? "application/json" };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (options.ifMatch != null) headers["If-Match"] = `"${options.ifMatch}"`;
  if (options.idempotencyKey) headers["Idempotency-Key"] = options.idempotencyKey;
  if (!options.anonymous) {
    const token = await session.accessToken();
    if (token) headers.Authorization = `Bearer ${token}`;
  }
  return fetch(path, {
    method: options.method ?? "GET",
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
    credentials: "omit",
  });
}

async function problemOf(response: Response): Promise<Problem> {
  try {
    return (await response.json()) as Problem;
  } catch {
    return { title: response.statusText, status: response.status };
  }
}

async function sendOnce(path: string, options: CallOptions): Promise<Response> {
  try {
    return await send(path, options);
  } catch (error) {
    // A request with an Idempotency-Key may go again after a dropped connection: if the first
    // did arrive, the server answers the same without doing it twice.
    if (!options.idempotencyKey || !(error instanceof TypeError) || options.signal?.aborted) throw error;
    await new Promise((resolve) => window.setTimeout(resolve, 1000));
    return send(path, options);
  }
}

/** The answer of a successful call: an access token refused is refreshed once and the call sent
 * again; any other failure is thrown as ApiError. */
async function answered(path: string, options: CallOptions): Promise<Response> {
  let response = await sendOnce(path, options);
  if (response.status === 401 && !options.anonymous && (await session.refresh())) {
    response = await sendOnce(path, options);
  }
  if (response.status === 401 && !options.anonymous) {
    session.expired();
  }
  if (!response.ok) {
    throw new ApiError(response.status, await problemOf(response));
  }
  return response;
}

export async function call<T = unknown>(path: string, options: CallOptions = {}): Promise<Reply<T>> {
  const response = await answered(path, options);
  const text = response.status === 204 ? "" : await response.text();
  return {
    status: response.status,
    data: (text ? JSON.parse(text) : null) as T,
    etag: response.headers.get("ETag"),
  };
}

/** GET and return the body. */
export async function get<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await call<T>(path, { signal })).data;
}

/** GET a body that is not JSON (a CSV) as a Blob, with the same sign-in as every call. */
export async function getBlob(path: string, accept: string, signal?: AbortSignal): Promise<Blob> {
  return (await answered(path, { accept, signal })).blob();
}

export function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

/** What to tell a person about a failed call. */
export function describe(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = error.problem.errors?.map((e) => `${e.field}: ${e.message}`).join("; ");
    return fields ? `${error.message} (${fields})` : error.message;
  }
  if (error instanceof DOMException && error.name === "AbortError") return "Cancelled";
  return error instanceof Error ? `Network error: ${error.message}` : String(error);
}
