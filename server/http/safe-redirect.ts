/**
 * The one check for every redirect target that comes from outside (`terug` on the login page and
 * the language switch): only a path on this site, never another host or scheme.
 *
 * Browsers are lenient where a naive prefix check is not: they drop tabs and newlines inside a URL
 * (`/\t/evil.example` becomes `//evil.example`), read a backslash as a slash (`/\evil.example`),
 * and a target may pass through another decoding step (`/%2F%2Fevil.example`). So a target is
 * refused when it, or any percent-decoding of it, holds a control, format or separator character
 * or a backslash, or starts with two slashes; what is left is resolved with the WHATWG URL parser
 * against a placeholder origin and must stay on it. The answer is the normalised path, query and
 * fragment (ASCII, percent-encoded), so the Location header holds exactly what was checked.
 */
const PLACEHOLDER = 'http://samenspel.invalid'
const MAX_LENGTH = 2000

/** Cc (controls), Cf (format: zero-width, bidi overrides), Z* (spaces, line and paragraph separators). */
const FORBIDDEN_RAW = /[\p{Cc}\p{Cf}\p{Z}\\]/u
/** In a decoded layer a space is ordinary (`?q=jeugd%20zorg`); controls, format characters and backslashes are not. */
const FORBIDDEN_DECODED = /[\p{Cc}\p{Cf}\\]/u

export function safeRedirect(target: unknown, fallback = '/'): string {
  if (typeof target !== 'string' || target.length === 0 || target.length > MAX_LENGTH) return fallback
  if (!sameSitePath(target, FORBIDDEN_RAW)) return fallback
  // Check every decoding a later step might apply; more than a few layers is an attack in itself.
  let layer = target
  for (let round = 0; ; round++) {
    let decoded: string
    try {
      decoded = decodeURIComponent(layer)
    } catch {
      return fallback // malformed percent-encoding: a lenient decoder elsewhere might read it otherwise
    }
    if (decoded === layer) break
    if (round === 3 || !sameSitePath(decoded, FORBIDDEN_DECODED)) return fallback
    layer = decoded
  }
  // What goes out is the normalised form of what was checked (ASCII, percent-encoded).
  const url = new URL(target, PLACEHOLDER)
  return url.pathname + url.search + url.hash
}

function sameSitePath(candidate: string, forbidden: RegExp): boolean {
  if (!candidate.startsWith('/') || candidate.startsWith('//') || forbidden.test(candidate)) return false
  try {
    const url = new URL(candidate, PLACEHOLDER)
    return url.origin === PLACEHOLDER && !url.pathname.startsWith('//')
  } catch {
    return false
  }
}
