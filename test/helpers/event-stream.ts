export interface ServerSentEvent {
  event: string;
  id: string;
  data: string;
}

/** Reads a text/event-stream over real HTTP, event by event. */
export async function openEventStream(url: string, token: string, lastEventId?: string): Promise<{ status: number; contentType: string | null; next(timeoutMs?: number): Promise<ServerSentEvent>; close(): void }> {
  const abort = new AbortController();
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'text/event-stream' };
  if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
  const response = await fetch(url, { headers, signal: abort.signal });
  const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    async next(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split('\n').filter((line) => !line.startsWith(':'));
          if (lines.length === 0) continue;
          const field = (name: string) => lines.find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2) ?? '';
          return { event: field('event') || 'message', id: field('id'), data: field('data') };
        }
        if (!reader || Date.now() > deadline) throw new Error('no event arrived in time');
        const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no event arrived in time')), deadline - Date.now()));
        const chunk = await Promise.race([reader.read(), timeout]);
        if (chunk.done) throw new Error('the stream ended');
        buffer += chunk.value;
      }
    },
    close: () => abort.abort(),
  };
}
