import * as Y from 'yjs'

/**
 * Comment anchors in the browser, in the same encoding as the server's
 * (server/modules/comments/anchors.ts): base64 of Y.encodeRelativePosition. Kept apart from the
 * server code, which the browser bundle may not import.
 */
export function encodeRelative(rel: Y.RelativePosition): string {
  const bytes = Y.encodeRelativePosition(rel)
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary)
}

export function decodeRelative(encoded: string): Y.RelativePosition | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length > 400) return null
  try {
    const binary = atob(encoded)
    const bytes = new Uint8Array(binary.length)
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
    return Y.decodeRelativePosition(bytes)
  } catch {
    return null
  }
}

/**
 * A range holds its own words only: its start sticks to the first character (assoc 0) and its
 * end to the last (assoc -1), so words typed right before or after do not slide into a comment.
 * (y-tiptap creates every position with assoc -1.)
 */
export function withAssoc(rel: Y.RelativePosition, ydoc: Y.Doc, assoc: 0 | -1): Y.RelativePosition {
  const abs = Y.createAbsolutePositionFromRelativePosition(rel, ydoc)
  if (!abs || (assoc === -1 && abs.index === 0) || (assoc === 0 && abs.index >= abs.type._length)) return rel
  return Y.createRelativePositionFromTypeIndex(abs.type, abs.index, assoc)
}
