import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding'
import { sha256 } from '@oslojs/crypto/sha2'
import { constantTimeEqual } from '@oslojs/crypto/subtle'
import { webcrypto } from 'node:crypto'

/** A random identifier with `bytes` bytes of entropy, base32 lower case (no padding). */
export function randomId(bytes = 15): string {
  const b = new Uint8Array(bytes)
  webcrypto.getRandomValues(b)
  return encodeBase32LowerCaseNoPadding(b)
}

export function sha256Hex(text: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(text)))
}

/** Compares two hex digests in constant time. */
export function hexDigestsEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  const enc = new TextEncoder()
  return constantTimeEqual(enc.encode(a), enc.encode(b))
}
