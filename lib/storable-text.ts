import { z } from 'zod';

/**
 * A string that PostgreSQL stores exactly as sent. `text` and `jsonb` refuse NUL (the insert
 * fails: a 500), and a lone UTF-16 surrogate cannot be encoded as UTF-8 (it would be stored as
 * U+FFFD, another string). Every text field bound for a database starts from this, so such
 * input is a 422 at the schema.
 */
export function storableText(): z.ZodString {
  return z
    .string({ error: 'must be a string' })
    .refine((value) => !value.includes('\u0000'), 'must not contain NUL characters')
    .refine((value) => value.isWellFormed(), 'must not contain unpaired UTF-16 surrogates');
}
