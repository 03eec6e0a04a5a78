import type { Connection, DB } from '../../db/connect'
import { connect, inTransaction, migrateToLatest } from '../../db/connect'
import type { OrganisationKind, Role } from '../../db/schema'
import { randomId } from '../../server/lib/ids'
import { iso } from '../../server/lib/time'
import { recordAudit, type AuditInput } from '../../server/modules/audit/audit'
import { addMembership, createOrganisation, createRegion } from '../../server/modules/regions/commands'

/**
 * Builders for unit tests: a fresh, migrated in-memory SQLite database per test, and regions,
 * organisations and people made with the same commands the seed uses. Users are inserted directly
 * because the application creates them only as a side effect of invitations and panel codes.
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
  return createOrganisation(db, {
    regionId,
    name: opts.name ?? `Organisatie ${randomId(5)}`,
    kind: opts.kind ?? 'municipality',
    actorId: null,
    now: opts.now ?? T0,
  })
}

export async function makeUser(
  db: DB,
  opts: { email?: string | null; name?: string; passwordHash?: string | null; under16?: boolean; now?: Date } = {},
): Promise<string> {
  const id = randomId()
  await db
    .insertInto('users')
    .values({
      id,
      email: opts.email === undefined ? `${id}@example.test` : opts.email,
      name: opts.name ?? `Persoon ${id.slice(0, 5)}`,
      password_hash: opts.passwordHash ?? null,
      under_16: opts.under16 ? 1 : 0,
      created_at: iso(opts.now ?? T0),
    })
    .execute()
  return id
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
