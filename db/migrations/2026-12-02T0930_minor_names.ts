import type { Kysely } from 'kysely'

/**
 * Members under 16 are shown only by a name from the safe set (ADR 0012): a friendly adjective,
 * an animal and a two-digit number. Every member under 16 whose name is not such a name gets one,
 * derived from the user id (so a rerun on a copy gives the same name), avoiding names in use.
 * Frozen in time: imports nothing from the application; the lists are a copy of
 * server/modules/accounts/names.ts as it was, which may only grow.
 */
const ADJECTIVES = [
  'Blije', 'Dappere', 'Eerlijke', 'Gezellige', 'Handige', 'Heldere', 'Kalme', 'Kleurrijke',
  'Moedige', 'Nieuwsgierige', 'Rustige', 'Slimme', 'Snelle', 'Speelse', 'Sportieve', 'Sterke',
  'Stoere', 'Trouwe', 'Vlotte', 'Vriendelijke', 'Vrolijke', 'Wijze', 'Zonnige', 'Creatieve',
]
const ANIMALS = [
  'Bever', 'Das', 'Dolfijn', 'Eekhoorn', 'Egel', 'Haas', 'Hert', 'Kikker', 'Koala', 'Lynx',
  'Merel', 'Mus', 'Ooievaar', 'Otter', 'Panda', 'Pinguïn', 'Reiger', 'Uil', 'Valk', 'Vlinder',
  'Vos', 'Walvis', 'Zeehond', 'Zwaluw',
]
const NUMBERS = Array.from({ length: 90 }, (_, i) => i + 10).filter((n) => ![14, 18, 28, 69, 88].includes(n))

function isSafe(name: string): boolean {
  const m = /^(\p{L}+) (\p{L}+) (\d{2})$/u.exec(name)
  return Boolean(m && ADJECTIVES.includes(m[1]!) && ANIMALS.includes(m[2]!) && NUMBERS.includes(Number(m[3])))
}

function fnv(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** The safe name for a user id; `attempt` > 0 when the first one is taken. */
export function safeNameFor(userId: string, attempt = 0): string {
  const h = fnv(`${userId}#${attempt}`)
  const a = ADJECTIVES[h % ADJECTIVES.length]
  const b = ANIMALS[Math.floor(h / ADJECTIVES.length) % ANIMALS.length]
  const n = NUMBERS[Math.floor(h / (ADJECTIVES.length * ANIMALS.length)) % NUMBERS.length]
  return `${a} ${b} ${n}`
}

export async function up(db: Kysely<any>): Promise<void> {
  const minors: Array<{ id: string; name: string }> = await db.selectFrom('users').select(['id', 'name']).where('under_16', '=', 1).orderBy('id').execute()
  const unsafe = minors.filter((u) => !isSafe(u.name))
  if (unsafe.length === 0) return
  const taken = new Set((await db.selectFrom('users').select('name').execute()).map((u: { name: string }) => u.name))
  for (const user of unsafe) {
    let attempt = 0
    let name = safeNameFor(user.id)
    while (taken.has(name)) name = safeNameFor(user.id, ++attempt)
    taken.add(name)
    await db.updateTable('users').set({ name }).where('id', '=', user.id).execute()
  }
}
