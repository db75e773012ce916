import type { Answer } from './http.ts';
import type { Client } from './stack.ts';

/** Polls the order through the gateway until it leaves NEW (or the time is up). */
export async function finalOrder(client: Client, orderId: string, timeoutMs = 30_000): Promise<Answer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await client('GET', `/api/orders/${orderId}`);
    if (answer.body?.status !== 'NEW' || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
