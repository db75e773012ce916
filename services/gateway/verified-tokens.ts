/**
 * Tokens the gateway has verified, by their whole text (signature included), with the subject they
 * name and when they expire: a client sends the same token with every request, and verifying its
 * HS256 signature through Web Crypto was the costliest step of a forwarded request. Only a token that
 * passed verification is kept, so tokens that fail (forged, expired, another algorithm) cost their
 * verification each time and take no room; a kept token is taken until it expires, checked at
 * every use as jose checks it, and no longer. The oldest go first once `capacity` are kept.
 */
export class VerifiedTokens {
  private readonly capacity: number;
  private readonly byToken = new Map<string, { subject: string; expiresAt: number }>();

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** The subject of a token verified before and not expired now; undefined for any other. */
  subjectOf(token: string): string | undefined {
    const verified = this.byToken.get(token);
    if (!verified) return undefined;
    // As jose's check of `exp`: expired once the current second (rounded down) has reached it.
    if (verified.expiresAt <= Math.floor(Date.now() / 1000)) {
      this.byToken.delete(token);
      return undefined;
    }
    return verified.subject;
  }

  remember(token: string, subject: string, expiresAt: number): void {
    if (this.byToken.size >= this.capacity) this.byToken.delete(this.byToken.keys().next().value as string);
    this.byToken.set(token, { subject, expiresAt });
  }
}
