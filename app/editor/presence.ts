/**
 * Colours for people in a document (caret, selection, presence list). Derived from the user id, so
 * a person keeps one colour in every document and on every device. All of them carry white text at
 * more than 4.5:1 (WCAG AA), which the caret's name label needs.
 */
export const PRESENCE_COLOURS = ['#00548c', '#a4262c', '#1e6b34', '#6a1b9a', '#8a4b00', '#005f73', '#9c2c77', '#4a4f55'] as const

export function colourFor(userId: string): string {
  // FNV-1a: small, stable, and spreads similar ids over the palette.
  let h = 0x811c9dc5
  for (let i = 0; i < userId.length; i++) {
    h ^= userId.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return PRESENCE_COLOURS[(h >>> 0) % PRESENCE_COLOURS.length]!
}

/** What each client puts under `user` in its awareness state. */
export interface PresenceUser {
  id: string
  name: string
  color: string
}

/**
 * The people present, from awareness states: one entry per user (several tabs count once), the
 * local user first, then by name. Entries without a usable name are left out.
 */
export function presentPeople(states: Map<number, Record<string, unknown>>, selfId: string): PresenceUser[] {
  const byId = new Map<string, PresenceUser>()
  for (const state of states.values()) {
    const u = state.user as Partial<PresenceUser> | undefined
    if (!u || typeof u.id !== 'string' || typeof u.name !== 'string' || !u.name.trim()) continue
    if (!byId.has(u.id)) byId.set(u.id, { id: u.id, name: u.name.slice(0, 80), color: typeof u.color === 'string' && /^#[0-9a-f]{6}$/i.test(u.color) ? u.color : '#4a4f55' })
  }
  return [...byId.values()].sort((a, b) => (a.id === selfId ? -1 : b.id === selfId ? 1 : a.name.localeCompare(b.name, 'nl')))
}
