import { createHash } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Connection, DB } from '../../db/connect'
import { freshDb, makeUser, T0 } from '../../tests/support/db'
import { randomId } from '../lib/ids'
import { DAY, HOUR, MINUTE } from '../lib/time'
import { createSession, deviceLabel, invalidateUserSessions, validateSessionToken } from './session'

const IDLE_DAYS = 14
const at = (ms: number) => () => new Date(T0.getTime() + ms)
const validate = (db: DB, token: string, afterMs = 0) =>
  validateSessionToken(db, token, { clock: at(afterMs), idleDays: IDLE_DAYS })

let conn: Connection
let db: DB
let userId: string

beforeEach(async () => {
  conn = await freshDb()
  db = conn.db
  userId = await makeUser(db, { email: 'anna@example.test', name: 'Anna' })
})
afterEach(() => conn.close())

const sessionRow = (id: string) => db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst()

describe('createSession and validateSessionToken', () => {
  it('accepts the token it handed out and returns the session and its user', async () => {
    const { token, id } = await createSession(db, userId, { now: T0, device: 'Firefox · Linux' })
    const valid = await validate(db, token)
    expect(valid?.session.id).toBe(id)
    expect(valid?.session.userId).toBe(userId)
    expect(valid?.user).toMatchObject({ id: userId, email: 'anna@example.test', name: 'Anna', under_16: 0 })
  })

  it('stores only a SHA-256 hash of the secret part, never the secret itself', async () => {
    const { token, id } = await createSession(db, userId, { now: T0, device: 'Firefox · Linux' })
    const [tokenId, secret] = token.split('.') as [string, string]
    expect(tokenId).toBe(id)
    expect(secret.length).toBeGreaterThanOrEqual(32)
    const row = await sessionRow(id)
    expect(row).toBeDefined()
    for (const value of Object.values(row!)) expect(String(value)).not.toContain(secret)
    expect(row!.secret_hash).toBe(createHash('sha256').update(secret).digest('hex'))
  })

  it('gives every session its own id and secret', async () => {
    const a = await createSession(db, userId, { now: T0, device: '' })
    const b = await createSession(db, userId, { now: T0, device: '' })
    expect(a.id).not.toBe(b.id)
    expect(a.token.split('.')[1]).not.toBe(b.token.split('.')[1])
  })

  it('refuses the right id with a wrong secret', async () => {
    const { token, id } = await createSession(db, userId, { now: T0, device: '' })
    expect(await validate(db, `${id}.${randomId(20)}`)).toBeNull()
    // and the real session is still there afterwards
    expect(await validate(db, token)).not.toBeNull()
  })

  it('refuses a secret that belongs to another session', async () => {
    const a = await createSession(db, userId, { now: T0, device: '' })
    const b = await createSession(db, userId, { now: T0, device: '' })
    expect(await validate(db, `${a.id}.${b.token.split('.')[1]}`)).toBeNull()
  })

  it('refuses malformed tokens', async () => {
    const { token } = await createSession(db, userId, { now: T0, device: '' })
    const [id, secret] = token.split('.') as [string, string]
    const malformed = [
      '',
      '.',
      id,
      `${id}.`,
      `.${secret}`,
      `${id}.${secret}.${secret}`,
      `${id}${secret}`,
      `${id.toUpperCase()}.${secret.toUpperCase()}`,
      `${id}.${secret.slice(1)}`,
      `${id}.${secret}x`,
      `${id} .${secret}`,
      `${id}.${secret.slice(0, -1)}0`, // 0 and 1 are not base32 characters
    ]
    for (const bad of malformed) expect(await validate(db, bad), JSON.stringify(bad)).toBeNull()
  })

  it('refuses a well-formed token of a session that does not exist', async () => {
    expect(await validate(db, `${randomId(20)}.${randomId(20)}`)).toBeNull()
  })

  it('keeps the device label short', async () => {
    const { id } = await createSession(db, userId, { now: T0, device: 'x'.repeat(500) })
    expect((await sessionRow(id))!.device.length).toBeLessThanOrEqual(80)
  })
})

describe('idle expiry', () => {
  it('keeps a session that was used within the idle period', async () => {
    const { token } = await createSession(db, userId, { now: T0, device: '' })
    expect(await validate(db, token, (IDLE_DAYS - 1) * DAY)).not.toBeNull()
  })

  it('ends and deletes a session left unused for longer than the idle period', async () => {
    const { token, id } = await createSession(db, userId, { now: T0, device: '' })
    expect(await validate(db, token, IDLE_DAYS * DAY + MINUTE)).toBeNull()
    expect(await sessionRow(id)).toBeUndefined()
    // going back in time does not bring it back
    expect(await validate(db, token, 0)).toBeNull()
  })

  it('counts idleness from the last use, not from the start', async () => {
    const { token } = await createSession(db, userId, { now: T0, device: '' })
    expect(await validate(db, token, 10 * DAY)).not.toBeNull()
    expect(await validate(db, token, 20 * DAY)).not.toBeNull()
    expect(await validate(db, token, 20 * DAY + IDLE_DAYS * DAY + MINUTE)).toBeNull()
  })
})

describe('last_verified_at', () => {
  it('is not written again within the hour', async () => {
    const { token, id } = await createSession(db, userId, { now: T0, device: '' })
    const before = (await sessionRow(id))!.last_verified_at
    const valid = await validate(db, token, 59 * MINUTE)
    expect(valid?.session.lastVerifiedAt).toBe(before)
    expect((await sessionRow(id))!.last_verified_at).toBe(before)
  })

  it('is refreshed to the current time after an hour', async () => {
    const { token, id } = await createSession(db, userId, { now: T0, device: '' })
    const later = HOUR + MINUTE
    const expected = new Date(T0.getTime() + later).toISOString()
    const valid = await validate(db, token, later)
    expect(valid?.session.lastVerifiedAt).toBe(expected)
    expect((await sessionRow(id))!.last_verified_at).toBe(expected)
    expect((await sessionRow(id))!.created_at).toBe(T0.toISOString())
  })
})

describe('invalidateUserSessions', () => {
  it("ends every session of the user and no one else's", async () => {
    const otherUser = await makeUser(db)
    const mine = [
      await createSession(db, userId, { now: T0, device: 'a' }),
      await createSession(db, userId, { now: T0, device: 'b' }),
      await createSession(db, userId, { now: T0, device: 'c' }),
    ]
    const theirs = await createSession(db, otherUser, { now: T0, device: 'd' })
    expect(await invalidateUserSessions(db, userId)).toBe(3)
    for (const s of mine) expect(await validate(db, s.token)).toBeNull()
    expect(await validate(db, theirs.token)).not.toBeNull()
  })

  it('keeps the session named in `keep`', async () => {
    const current = await createSession(db, userId, { now: T0, device: 'a' })
    const elsewhere = [
      await createSession(db, userId, { now: T0, device: 'b' }),
      await createSession(db, userId, { now: T0, device: 'c' }),
    ]
    expect(await invalidateUserSessions(db, userId, current.id)).toBe(2)
    expect(await validate(db, current.token)).not.toBeNull()
    for (const s of elsewhere) expect(await validate(db, s.token)).toBeNull()
  })
})

describe('deviceLabel', () => {
  const agents = {
    chromeLinux:
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    firefoxWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
    edgeWindows:
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86',
    safariMac:
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
    safariIphone:
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
    chromeAndroid:
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.104 Mobile Safari/537.36',
  }

  it.each([
    ['chromeLinux', 'Chrome', 'Linux'],
    ['firefoxWindows', 'Firefox', 'Windows'],
    ['edgeWindows', 'Edge', 'Windows'],
    ['safariMac', 'Safari', 'macOS'],
    ['safariIphone', 'Safari', 'iOS'],
    ['chromeAndroid', 'Chrome', 'Android'],
  ] as const)('names browser and system of %s', (agent, browser, os) => {
    const label = deviceLabel(agents[agent])
    expect(label).toContain(browser)
    expect(label).toContain(os)
    for (const other of ['Chrome', 'Firefox', 'Edge', 'Safari'].filter((b) => b !== browser)) {
      expect(label).not.toContain(other)
    }
    for (const other of ['Linux', 'Windows', 'macOS', 'iOS', 'Android'].filter((o) => o !== os)) {
      expect(label).not.toContain(other)
    }
  })

  it('is coarse: no version numbers or device models', () => {
    for (const ua of Object.values(agents)) {
      const label = deviceLabel(ua)
      expect(label).not.toMatch(/\d/)
      expect(label).not.toContain('Pixel')
    }
  })

  it('still gives a label for a missing or unknown user agent', () => {
    for (const ua of [null, undefined, '', 'curl/8.5.0']) {
      const label = deviceLabel(ua)
      expect(label.length).toBeGreaterThan(0)
      expect(label).not.toMatch(/\d/)
    }
  })
})
