// Every call to liaisond: same origin, the user's key as a Bearer token, JSON in and out, and
// RFC 9457 problem details turned into an ApiError that names the fields at fault.

export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: FieldError[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail || problem.title || `HTTP ${status}`);
  }
}

// The key lives in this tab's session storage only: closing the tab forgets it.
const keyName = "liaison.apiKey";

export function storedKey(): string | null {
  return sessionStorage.getItem(keyName);
}

export function storeKey(key: string): void {
  sessionStorage.setItem(keyName, key);
}

export function forgetKey(): void {
  sessionStorage.removeItem(keyName);
}

let onUnauthorized: () => void = () => {};

// What to do when a call answers 401 (the key was removed from the config): sign out.
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  key?: string; // a key to try instead of the stored one (sign-in)
}

export async function api<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
  const key = options.key ?? storedKey() ?? "";
  const headers: Record<string, string> = {
    Accept: "application/json",
    Authorization: `Bearer ${key}`,
    ...options.headers,
  };
  let body: string | undefined;
  if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  const response = await fetch(path, { method, headers, body, credentials: "omit", cache: "no-store" });
  const text = await response.text();
  let parsed: unknown = undefined;
  if (text.length > 0) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (!response.ok) {
    const problem: Problem =
      parsed && typeof parsed === "object" ? (parsed as Problem) : { status: response.status, title: response.statusText };
    if (response.status === 401 && options.key === undefined) {
      onUnauthorized();
    }
    throw new ApiError(response.status, problem);
  }
  return parsed as T;
}

// A random Idempotency-Key, so a double click or a retried request sends once.
export function idempotencyKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
