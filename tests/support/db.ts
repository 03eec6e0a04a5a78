import { afterEach, beforeEach } from 'vitest'
import type { Connection, DB } from '../../db/connect'
import { connect, inTransaction, migrateToLatest } from '../../db/connect'
import type { OrganisationKind, Role } from '../../db/schema'
import { randomId } from '../../server/lib/ids'
import { recordAudit, type AuditInput } from '../../server/modules/audit/audit'
import { createUser } from '../../server/modules/accounts/commands'
import { issuePanelCode } from '../../server/modules/panels/commands'
import { addMembership, createOrganisation, createRegion } from '../../server/modules/regions/commands'

/**
 * Builders for unit tests: a fresh, migrated in-memory SQLite database per test, and regions,
 * organisations and people made with the same commands the seed uses (people with `createUser`,
 * which the application otherwise calls only inside invitations and panel codes).
 */
export const T0 = new Date('2027-03-01T09:00:00.000Z')

export async function freshDb(): Promise<Connection> {
  const conn = await connect('sqlite::memory:')
  await migrateToLatest(conn)
  return conn
}

export async function makeRegion(db: DB, opts: { name?: string; now?: Date } = {}): Promise<string> {
  const suffix = randomId(5)
  return createRegion(db, { slug: `regio-${suffix}`, name: opts.name ?? `Regio ${suffix}`, now: opts.now ?? T0 })
}

export async function makeOrganisation(
  db: DB,
  regionId: string,
  opts: { name?: string; kind?: OrganisationKind; now?: Date } = {},
): Promise<string> {
  const created = await createOrganisation(db, {
    regionId,
    name: opts.name ?? `Organisatie ${randomId(5)}`,
    kind: opts.kind ?? 'municipality',
    actorId: null,
    now: opts.now ?? T0,
  })
  if (!created.ok) throw new Error(`makeOrganisation: ${created.reason}`)
  return created.id
}

export async function makeUser(
  db: DB,
  opts: { email?: string | null; name?: string; passwordHash?: string | null; under16?: boolean; now?: Date } = {},
): Promise<string> {
  const id = randomId()
  return createUser(db, {
    id,
    email: opts.email === undefined ? `${id}@example.test` : opts.email,
    name: opts.name ?? `Persoon ${id.slice(0, 5)}`,
    passwordHash: opts.passwordHash ?? null,
    under16: Boolean(opts.under16),
    now: opts.now ?? T0,
  })
}

/** A new user with one membership; returns the user's and the membership's id. */
export async function makeMember(
  db: DB,
  input: { regionId: string; organisationId: string; role: Role; under16?: boolean; email?: string | null },
): Promise<{ userId: string; membershipId: string }> {
  const userId = await makeUser(db, { under16: input.under16, email: input.email })
  const membershipId = await addMembership(db, {
    userId,
    regionId: input.regionId,
    organisationId: input.organisationId,
    role: input.role,
    actorId: null,
    now: T0,
  })
  return { userId, membershipId }
}

/** The audit entries of a region (or all when no region is given), oldest first. */
export function auditEntries(db: DB, regionId?: string) {
  let q = db.selectFrom('audit_log').selectAll().orderBy('seq', 'asc')
  if (regionId) q = q.where('region_id', '=', regionId)
  return q.execute()
}

/** One audit entry in a transaction of its own: for tests of the trail itself. */
export function writeAudit(db: DB, input: AuditInput): Promise<void> {
  return inTransaction(db, (trx) => recordAudit(trx, input))
}

/** The same database, counting the queries run through it: for "a fixed number of queries" tests. */
export function countingQueries(db: DB): { db: DB; count: () => number; reset: () => void } {
  let n = 0
  const counted = db.withPlugin({
    transformQuery: (args) => {
      n++
      return args.node
    },
    transformResult: async (args) => args.result,
  })
  return { db: counted, count: () => n, reset: () => (n = 0) }
}

/**
 * The setting most unit tests of accounts, panels and regions start from: a fresh database with a
 * region, a municipality with one staff member (a civil servant coordinates panels; pass
 * `staffRole: 'region_admin'` for an administrator), and a panel. Close `conn` after the test.
 */
export async function regionSetting(opts: { staffRole?: Role; regionName?: string } = {}) {
  const conn = await freshDb()
  const db = conn.db
  const regionId = await makeRegion(db, { name: opts.regionName })
  const staffOrgId = await makeOrganisation(db, regionId, { name: 'Gemeente Haarlem', kind: 'municipality' })
  const panelId = await makeOrganisation(db, regionId, { name: 'Jongerenpanel', kind: 'panel' })
  const staffId = (await makeMember(db, { regionId, organisationId: staffOrgId, role: opts.staffRole ?? 'civil_servant' })).userId
  return { conn, db, regionId, staffOrgId, panelId, staffId }
}

export type RegionSetting = Awaited<ReturnType<typeof regionSetting>>

/**
 * A fresh `regionSetting` before each test of the enclosing describe, closed after it:
 * `const s = eachRegionSetting()`, then `const { db, regionId } = s` inside a test.
 */
export function eachRegionSetting(opts: Parameters<typeof regionSetting>[0] = {}): RegionSetting {
  const setting = {} as RegionSetting
  beforeEach(async () => {
    Object.assign(setting, await regionSetting(opts))
  })
  afterEach(() => setting.conn.close())
  return setting
}

/** Issues a panel code in a test, failing the test when the command refuses. */
export async function issueCode(
  db: DB,
  input: { regionId: string; organisationId: string; actorId: string; under16?: boolean; userId?: string; now?: Date },
) {
  const issued = await issuePanelCode(db, { ...input, under16: input.under16 ?? false, now: input.now ?? T0 })
  if (!issued.ok) throw new Error(`panel code refused: ${issued.reason}`)
  return issued
}
