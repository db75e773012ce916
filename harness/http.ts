export interface Answer {
  status: number;
  headers: Headers;
  /** The body parsed as JSON, or its text when it is not JSON. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read answers of every shape
  body: any;
}

export interface RequestOptions {
  token?: string;
  /** Sent as JSON, unless it is already a string (sent as it is). */
  body?: unknown;
  headers?: Record<string, string>;
}

/** One real HTTP request; answers are read whole, whatever their status. */
export async function request(baseUrl: string, method: string, path: string, options: RequestOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(new URL(path, baseUrl), { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: the text itself is the body.
  }
  return { status: response.status, headers: response.headers, body: parsed };
}
