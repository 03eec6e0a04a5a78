import { hash, verify, type Options } from '@node-rs/argon2'

/** OWASP's argon2id parameters: 19 MiB, 2 iterations, 1 lane. Stored as a PHC string. */
// algorithm 2 is Argon2id (a const enum in the typings, which isolated modules cannot read).
const options: Options = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 }

export const passwordRules = { min: 12, max: 256 }

export function hashPassword(password: string): Promise<string> {
  return hash(password, options)
}

// Verified when an account does not exist, so that a wrong e-mail address takes as long as a
// wrong password and the response time does not reveal which accounts exist.
let dummyHash: Promise<string> | undefined

export async function verifyPassword(phc: string | null, password: string): Promise<boolean> {
  if (!phc) {
    dummyHash ??= hash('not-a-real-password', options)
    await verify(await dummyHash, password).catch(() => false)
    return false
  }
  return verify(phc, password).catch(() => false)
}
