import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import type { DB } from './connect'
import { organisationKinds, roles } from './schema'
import { hashPassword } from '../server/auth/password'
import { randomId } from '../server/lib/ids'
import { iso } from '../server/lib/time'
import { addMembership, createMunicipality, createOrganisation, createRegion } from '../server/modules/regions/commands'
import { recordConsent } from '../server/modules/panels/commands'
import { isSafeName } from '../server/modules/accounts/names'
import { createDocument } from '../server/modules/documents/commands'
import { principlesFile, principlesUpdate } from '../server/modules/principles/content'

/**
 * Fills an empty database from content/: the demo regions with their municipalities and
 * organisations, and (only when asked for: demo mode) the demo accounts with known passwords.
 */
const contentDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../content')

const regionFile = z.object({
  slug: z.string().regex(/^[a-z0-9-]+$/),
  name: z.string().min(1),
  description: z.string(),
  municipalities: z.array(z.object({ name: z.string().min(1), subregion: z.string() })),
  organisations: z.array(
    z.object({ key: z.string().min(1), name: z.string().min(1), kind: z.enum(organisationKinds) }),
  ),
})

const accountsFile = z.array(
  z.object({
    email: z.email(),
    name: z.string().min(1),
    password: z.string().min(12),
    under16: z.boolean(),
    consent: z.object({ givenBy: z.string().min(1) }).optional(),
    memberships: z.array(z.object({ region: z.string(), organisation: z.string(), role: z.enum(roles) })).min(1),
  }),
)

export function readRegionContent() {
  const dir = path.join(contentDir, 'regions')
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => regionFile.parse(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))))
}

/** The leading principles of a region, when content/principles/<slug>.json exists. */
export function readPrinciples(slug: string) {
  const file = path.join(contentDir, 'principles', `${slug}.json`)
  if (!fs.existsSync(file)) return null
  return principlesFile.parse(JSON.parse(fs.readFileSync(file, 'utf8')))
}

export function readDemoAccounts() {
  return accountsFile.parse(JSON.parse(fs.readFileSync(path.join(contentDir, 'demo-accounts.json'), 'utf8')))
}

export async function isEmpty(db: DB): Promise<boolean> {
  const row = await db.selectFrom('regions').select('id').limit(1).executeTakeFirst()
  return !row
}

export async function seed(db: DB, opts: { demoAccounts: boolean; now?: Date }): Promise<{ regions: number; accounts: number }> {
  const now = opts.now ?? new Date()
  const regions = readRegionContent()
  const accounts = opts.demoAccounts ? readDemoAccounts() : []
  // Hash outside the transaction: argon2 is slow on purpose.
  const hashes = new Map<string, string>()
  for (const pw of new Set(accounts.map((a) => a.password))) hashes.set(pw, await hashPassword(pw))

  await db.transaction().execute(async (trx) => {
    const regionIds = new Map<string, string>()
    const orgIds = new Map<string, string>()
    for (const r of regions) {
      const regionId = await createRegion(trx, { slug: r.slug, name: r.name, description: r.description, now })
      regionIds.set(r.slug, regionId)
      for (const m of r.municipalities) {
        await createMunicipality(trx, { regionId, name: m.name, subregion: m.subregion, actorId: null, now })
      }
      for (const o of r.organisations) {
        const created = await createOrganisation(trx, { regionId, name: o.name, kind: o.kind, actorId: null, now })
        if (!created.ok) throw new Error(`seed: organisation ${o.name} refused (${created.reason})`)
        orgIds.set(`${r.slug}/${o.key}`, created.id)
      }
      const principles = readPrinciples(r.slug)
      if (principles) {
        await createDocument(trx, { regionId, kind: 'principles', title: principles.title, actorId: null, now, initial: principlesUpdate(principles) })
      }
    }
    let adminId: string | null = null
    const consents: Array<{ userId: string; regionId: string; givenBy: string }> = []
    for (const a of accounts) {
      // Members under 16 are shown only by a safe name (ADR 0012): the demo data must follow the rule too.
      if (a.under16 && !isSafeName(a.name)) throw new Error(`demo account ${a.email}: members under 16 need a safe name, not "${a.name}"`)
      const userId = randomId()
      await trx
        .insertInto('users')
        .values({
          id: userId,
          email: a.email.toLowerCase(),
          name: a.name,
          password_hash: hashes.get(a.password)!,
          under_16: a.under16 ? 1 : 0,
          created_at: iso(now),
        })
        .execute()
      for (const m of a.memberships) {
        const regionId = regionIds.get(m.region)
        const organisationId = orgIds.get(`${m.region}/${m.organisation}`)
        if (!regionId || !organisationId) throw new Error(`demo account ${a.email}: unknown ${m.region}/${m.organisation}`)
        await addMembership(trx, { userId, regionId, organisationId, role: m.role, actorId: null, now })
        if (m.role === 'region_admin') adminId ??= userId
        if (a.consent) consents.push({ userId, regionId, givenBy: a.consent.givenBy })
      }
    }
    for (const c of consents) {
      if (!adminId) throw new Error('demo consent needs a region administrator to record it')
      await recordConsent(trx, { ...c, actorId: adminId, now })
    }
  })
  return { regions: regions.length, accounts: accounts.length }
}
