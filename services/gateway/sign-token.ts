import { SignJWT } from 'jose';

/** A token the gateway accepts for the user: HS256, subject = user id, expiring after `ttlSeconds`. */
export function signUserToken(jwtSecret: string, userId: string, ttlSeconds = 86_400): Promise<string> {
  return new SignJWT()
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(new TextEncoder().encode(jwtSecret));
}
