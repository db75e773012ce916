/**
 * The instances of one service behind the gateway (PAYMENTS_URL or ORDERS_URL, a list): each
 * request starts at the next one in turn (round-robin), and an instance that could not be reached
 * is passed over for `skipDeadMs`, then tried again.
 */
export class Instances {
  readonly origins: readonly string[];
  private readonly skipDeadMs: number;
  private next = 0;
  private readonly deadUntil = new Map<string, number>();

  constructor(origins: readonly string[], skipDeadMs: number) {
    this.origins = origins;
    this.skipDeadMs = skipDeadMs;
  }

  /**
   * The order in which one request tries them: the live ones from the next in turn, then the ones
   * passed over, last (a request is not refused only because every instance was down a moment ago).
   */
  forRequest(): string[] {
    const start = this.next;
    this.next = (start + 1) % this.origins.length;
    const turn = [...this.origins.slice(start), ...this.origins.slice(0, start)];
    const dead = this.passedOverNow();
    return [...turn.filter((origin) => !dead(origin)), ...turn.filter(dead)];
  }

  /** It refused a connection (or its name did not resolve): pass it over for a while. */
  markDead(origin: string): void {
    this.deadUntil.set(origin, Date.now() + this.skipDeadMs);
  }

  /** How many are being passed over now (for the gateway's metrics). */
  passedOver(): number {
    return this.origins.filter(this.passedOverNow()).length;
  }

  private passedOverNow(): (origin: string) => boolean {
    const now = Date.now();
    return (origin) => (this.deadUntil.get(origin) ?? 0) > now;
  }

  /** It answered: back in the turn at once. */
  markAlive(origin: string): void {
    this.deadUntil.delete(origin);
  }
}
