import { webcrypto } from 'node:crypto'

/**
 * Panel access codes as text (ADR 0005): how they are made and how a typed code is read. Pure: no
 * database. Codes are read aloud and typed by hand, so the alphabet leaves out 0/O and 1/I/L.
 */
export const CODE_DAYS = 14
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789'

export function generateCode(): string {
  const bytes = new Uint8Array(12)
  webcrypto.getRandomValues(bytes)
  let out = ''
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length]
  return `${out.slice(0, 4)}-${out.slice(4, 8)}-${out.slice(8, 12)}`
}

/** Upper-cases and strips spaces and dashes, so "abcd efgh jkmn" and "ABCD-EFGH-JKMN" are the same code. */
export function normaliseCode(input: string): string {
  const plain = input.toUpperCase().replace(/[\s-]/g, '')
  return plain.length === 12 ? `${plain.slice(0, 4)}-${plain.slice(4, 8)}-${plain.slice(8, 12)}` : plain
}

/** Where an issued code stands, for the coordinator's list. */
export type CodeState = 'open' | 'used' | 'expired' | 'revoked'

export function codeState(row: { used_at: string | null; revoked_at: string | null; expires_at: string }, now: Date): CodeState {
  if (row.used_at) return 'used'
  if (row.revoked_at) return 'revoked'
  return Date.parse(row.expires_at) <= now.getTime() ? 'expired' : 'open'
}
