import { webcrypto } from 'node:crypto'

/**
 * Display names of members under 16 (ADR 0012). They are never free text: a member picks one of a
 * few names the server offers, made of a friendly adjective, an animal and a number ("Vrolijke Vos
 * 27"), and the server accepts a name only when it is made of exactly these parts. So a name cannot
 * carry a phone number, a real name or an insult, before or after a coordinator approved a comment,
 * and nothing has to wait for moderation. Adults keep free names.
 *
 * The word lists may grow; never take a word out (names in use would become invalid, and migration
 * 2026-12-02T0930_minor_names holds a frozen copy of the lists as they were).
 */
export const NAME_ADJECTIVES = [
  'Blije', 'Dappere', 'Eerlijke', 'Gezellige', 'Handige', 'Heldere', 'Kalme', 'Kleurrijke',
  'Moedige', 'Nieuwsgierige', 'Rustige', 'Slimme', 'Snelle', 'Speelse', 'Sportieve', 'Sterke',
  'Stoere', 'Trouwe', 'Vlotte', 'Vriendelijke', 'Vrolijke', 'Wijze', 'Zonnige', 'Creatieve',
] as const

export const NAME_ANIMALS = [
  'Bever', 'Das', 'Dolfijn', 'Eekhoorn', 'Egel', 'Haas', 'Hert', 'Kikker', 'Koala', 'Lynx',
  'Merel', 'Mus', 'Ooievaar', 'Otter', 'Panda', 'Pinguïn', 'Reiger', 'Uil', 'Valk', 'Vlinder',
  'Vos', 'Walvis', 'Zeehond', 'Zwaluw',
] as const

/** Two-digit numbers without a known second meaning (hate-symbol codes, sexual slang). */
const BLOCKED_NUMBERS = new Set([14, 18, 28, 69, 88])
export const NAME_NUMBERS: readonly number[] = Array.from({ length: 90 }, (_, i) => i + 10).filter((n) => !BLOCKED_NUMBERS.has(n))

const adjectives = new Set<string>(NAME_ADJECTIVES)
const animals = new Set<string>(NAME_ANIMALS)
const numbers = new Set<number>(NAME_NUMBERS)
const SHAPE = /^(\p{L}+) (\p{L}+) (\d{2})$/u

/** True when the name is exactly one of the safe names (case and spacing as offered). */
export function isSafeName(name: string): boolean {
  const m = SHAPE.exec(name)
  return Boolean(m && adjectives.has(m[1]!) && animals.has(m[2]!) && numbers.has(Number(m[3])))
}

/** A random integer in [0, n), from the operating system's generator. */
export type RandomInt = (n: number) => number
export const cryptoRandomInt: RandomInt = (n) => {
  // Rejection sampling: no bias towards the low values.
  const limit = Math.floor(0x1_0000_0000 / n) * n
  const buf = new Uint32Array(1)
  for (;;) {
    webcrypto.getRandomValues(buf)
    if (buf[0]! < limit) return buf[0]! % n
  }
}

export function randomSafeName(random: RandomInt = cryptoRandomInt): string {
  return `${NAME_ADJECTIVES[random(NAME_ADJECTIVES.length)]} ${NAME_ANIMALS[random(NAME_ANIMALS.length)]} ${NAME_NUMBERS[random(NAME_NUMBERS.length)]}`
}

/**
 * A few different safe names to choose from, leaving out any for which `taken` says yes (names
 * other people already use). There are 24 × 24 × 85 ≈ 49,000 names, so this ends quickly.
 */
export function suggestNames(count = 4, opts: { random?: RandomInt; taken?: (name: string) => boolean } = {}): string[] {
  const out = new Set<string>()
  for (let tries = 0; out.size < count && tries < count * 50; tries++) {
    const name = randomSafeName(opts.random)
    if (!opts.taken?.(name)) out.add(name)
  }
  return [...out]
}

export type NameCheck = { ok: true; name: string } | { ok: false; reason: 'not_safe' }

/**
 * The one rule for a display name: members under 16 only a safe name, everyone else any name
 * (the forms' own length rules still apply).
 */
export function checkDisplayName(input: { under16: boolean; name: string }): NameCheck {
  const name = input.name.trim()
  if (input.under16 && !isSafeName(name)) return { ok: false, reason: 'not_safe' }
  return { ok: true, name }
}
