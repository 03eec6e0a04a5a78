import type { DB } from '../../../db/connect'
import type { Locale } from '../../../app/i18n/messages'
import { writeCheckpoint, verifyAuditChain, type AuditCheck } from './audit'
import { actionsOf, describeEvent, describeFilter, entryData, groupOf, idsIn, noNames, type EntryFacts, type EventGroup, type Names, type PersonName } from './events'
import { filterParams, periodOf, type LogFilter } from './schemas'
import { auditTrailOf, readCheckpoints, type Checkpoint } from './trail'

/**
 * Reads of the audit log: the region's entries as sentences (filtered, paged, with the names
 * resolved in one batched query per kind of name), the people who appear in it, and the
 * verification of the chain as a region's admin may see it.
 */

/** The newest checkpoints, newest first. */
export function latestCheckpoints(db: DB, n: number): Checkpoint[] {
  return readCheckpoints(auditTrailOf(db).checkpointFile).slice(-n).reverse()
}


/** A problem as a region's admin may see it: details only for the region's own entries. */
export interface RegionProblem {
  seq: number
  check: AuditCheck
  /** false: an entry of another region (or of no region) – its time and action are not shown */
  own: boolean
  at?: string
  action?: string
  checkpointAt?: string
}

export interface RegionVerification {
  ok: boolean
  /** entries in the whole chain (the chain is global: a region's entries depend on every link) */
  checked: number
  /** of which this region's */
  regionChecked: number
  brokenAtSeq?: number
  problems: RegionProblem[]
  checkpoints: { compared: number; matched: number }
  /** the checkpoint written by this verification, if the chain was intact */
  checkpoint: Checkpoint | null
}

/**
 * Verifies the whole chain and reports it as the region's admin may see it: where it breaks, with
 * the time and action of the region's own entries and only the number of anyone else's. An intact
 * chain's head is then written as a checkpoint ("whenever someone verifies").
 */
export async function verifyAuditForRegion(db: DB, regionId: string): Promise<RegionVerification> {
  const v = await verifyAuditChain(db)
  const { n } = await db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('region_id', '=', regionId)
    .executeTakeFirstOrThrow()
  const problems = v.problems.map((p): RegionProblem => {
    const own = p.regionId === regionId
    return {
      seq: p.seq,
      check: p.check,
      own,
      ...(own ? { at: p.at, action: p.action } : {}),
      ...(p.checkpointAt ? { checkpointAt: p.checkpointAt } : {}),
    }
  })
  const checkpoint = v.ok ? await writeCheckpoint(db, 'verify', v.head) : null
  return {
    ok: v.ok,
    checked: v.checked,
    regionChecked: Number(n),
    ...(v.brokenAtSeq !== undefined ? { brokenAtSeq: v.brokenAtSeq } : {}),
    problems,
    checkpoints: v.checkpoints,
    checkpoint,
  }
}

/** An entry as stored, with what the listing needs. */
export interface StoredEntry extends EntryFacts {
  seq: number
  at: string
  region_id: string | null
}

/**
 * A region's entries, newest first, narrowed by the filter; `before` pages back by seq. Only ever
 * the region's own entries: the region is part of every query.
 */
export async function listAudit(db: DB, regionId: string, opts: { filter?: LogFilter; before?: number; limit: number }): Promise<StoredEntry[]> {
  const filter = opts.filter ?? {}
  const { fromAt, beforeAt } = periodOf(filter)
  let q = db
    .selectFrom('audit_log')
    .select(['seq', 'at', 'region_id', 'actor_id', 'action', 'subject_type', 'subject_id', 'data'])
    .where('region_id', '=', regionId)
  if (opts.before) q = q.where('seq', '<', opts.before)
  if (filter.actorId) q = q.where('actor_id', '=', filter.actorId)
  if (filter.group) q = q.where('action', 'in', actionsOf(filter.group))
  if (fromAt) q = q.where('at', '>=', fromAt)
  if (beforeAt) q = q.where('at', '<', beforeAt)
  return q.orderBy('seq', 'desc').limit(opts.limit).execute()
}

/** The people who did something in the region's log, by name: the choices of the "who" filter. */
export async function auditActors(db: DB, regionId: string): Promise<Array<{ id: string; name: string }>> {
  return db
    .selectFrom('users')
    .select(['users.id', 'users.name'])
    .where('users.id', 'in', db.selectFrom('audit_log').select('actor_id').where('region_id', '=', regionId).where('actor_id', 'is not', null).$narrowType<{ actor_id: string }>())
    .orderBy('users.name')
    .execute()
}

const unique = (xs: string[]) => [...new Set(xs)]

/**
 * The names behind the ids of a page of entries: a fixed number of queries however long the page
 * (users with their roles in the region, organisations, documents, versions, panel codes, comments,
 * invitations), each limited to the region's own records. Users are named by display name only.
 */
export async function resolveNames(db: DB, regionId: string, entries: readonly EntryFacts[]): Promise<Names> {
  const ids = entries.map(idsIn)
  const all = <K extends keyof ReturnType<typeof idsIn>>(k: K) => unique(ids.flatMap((i) => i[k]))
  const panelCodeIds = all('panelCodes')
  const commentIds = all('comments')
  const invitationIds = all('invitations')
  const [panelCodes, comments, invitations] = await Promise.all([
    panelCodeIds.length
      ? db.selectFrom('panel_access_codes').select(['id', 'organisation_id']).where('region_id', '=', regionId).where('id', 'in', panelCodeIds).execute()
      : [],
    commentIds.length
      ? db.selectFrom('comments').select(['id', 'doc_id']).where('region_id', '=', regionId).where('id', 'in', commentIds).execute()
      : [],
    invitationIds.length
      ? db.selectFrom('invitations').select(['id', 'role', 'organisation_id']).where('region_id', '=', regionId).where('id', 'in', invitationIds).execute()
      : [],
  ])
  const userIds = all('users')
  const organisationIds = unique([...all('organisations'), ...panelCodes.map((c) => c.organisation_id), ...invitations.map((i) => i.organisation_id)])
  const documentIds = unique([...all('documents'), ...comments.map((c) => c.doc_id)])
  const versionIds = all('versions')
  const [users, roles, organisations, documents, versions] = await Promise.all([
    userIds.length ? db.selectFrom('users').select(['id', 'name', 'under_16']).where('id', 'in', userIds).execute() : [],
    userIds.length
      ? db.selectFrom('memberships').select(['user_id', 'role']).where('region_id', '=', regionId).where('user_id', 'in', userIds).orderBy('created_at').execute()
      : [],
    organisationIds.length
      ? db.selectFrom('organisations').select(['id', 'name']).where('region_id', '=', regionId).where('id', 'in', organisationIds).execute()
      : [],
    documentIds.length
      ? db.selectFrom('documents').select(['id', 'title', 'kind']).where('region_id', '=', regionId).where('id', 'in', documentIds).execute()
      : [],
    versionIds.length
      ? db
          .selectFrom('doc_versions')
          .innerJoin('documents', 'documents.id', 'doc_versions.doc_id')
          .select(['doc_versions.id', 'doc_versions.label'])
          .where('documents.region_id', '=', regionId)
          .where('doc_versions.id', 'in', versionIds)
          .execute()
      : [],
  ])
  const rolesOf = new Map<string, string[]>()
  for (const r of roles) rolesOf.set(r.user_id, unique([...(rolesOf.get(r.user_id) ?? []), r.role]))
  return {
    users: new Map(users.map((u): [string, PersonName] => [u.id, { name: u.name, under16: Boolean(u.under_16), roles: rolesOf.get(u.id) ?? [] }])),
    organisations: new Map(organisations.map((o) => [o.id, o.name])),
    documents: new Map(documents.map((d) => [d.id, { title: d.title, kind: d.kind }])),
    versions: new Map(versions.map((v) => [v.id, v.label])),
    panelCodes: new Map(panelCodes.map((c) => [c.id, c.organisation_id])),
    comments: new Map(comments.map((c) => [c.id, c.doc_id])),
    invitations: new Map(invitations.map((i) => [i.id, { role: i.role, organisationId: i.organisation_id }])),
  }
}

/** An entry as the logbook shows it: the sentence, and the stored record one click away. */
export interface ReadableEntry {
  seq: number
  at: string
  sentence: string
  group: EventGroup | null
  /** the person who did it, by display name (empty for the system) */
  actorName: string
  /** the stored fields, as they are in the chain */
  raw: { seq: number; at: string; action: string; actor_id: string | null; subject_type: string; subject_id: string | null; data: Record<string, unknown> }
}

export function readable(locale: Locale, names: Names, e: StoredEntry): ReadableEntry {
  return {
    seq: e.seq,
    at: e.at,
    sentence: describeEvent(locale, names, e),
    group: groupOf(e.action),
    actorName: e.actor_id ? (names.users.get(e.actor_id)?.name ?? '') : '',
    raw: { seq: e.seq, at: e.at, action: e.action, actor_id: e.actor_id, subject_type: e.subject_type, subject_id: e.subject_id, data: entryData(e) },
  }
}

/** One page of the region's logbook in the reader's language, and where the next page starts. */
export async function auditPage(
  db: DB,
  regionId: string,
  opts: { filter: LogFilter; before?: number; limit: number; locale: Locale },
): Promise<{ entries: ReadableEntry[]; next: number | null }> {
  const rows = await listAudit(db, regionId, opts)
  const names = await resolveNames(db, regionId, rows)
  return { entries: rows.map((e) => readable(opts.locale, names, e)), next: rows.length === opts.limit ? rows[rows.length - 1]!.seq : null }
}

/**
 * What the logbook page shows for a filter: one page of sentences, the link to the older entries
 * (keeping the filter), the people to choose from, and the filter in words (null when none).
 */
export async function logbookPage(
  db: DB,
  regionId: string,
  opts: { filter: LogFilter; before?: number; limit: number; locale: Locale },
): Promise<{ entries: ReadableEntry[]; next: string | null; actors: Array<{ id: string; name: string }>; filtered: string | null }> {
  const [actors, page] = await Promise.all([auditActors(db, regionId), auditPage(db, regionId, opts)])
  const search = filterParams(opts.filter)
  const next = page.next ? `?${new URLSearchParams([...search, ['voor', String(page.next)]])}` : null
  // The "who" of the filter is one of the actors, named by display name only (describeFilter adds no roles).
  const names: Names = { ...noNames, users: new Map(actors.map((a) => [a.id, { name: a.name, under16: false, roles: [] }])) }
  const filtered = Object.keys(opts.filter).length > 0 ? describeFilter(opts.locale, names, { ...opts.filter }) : null
  return { entries: page.entries, next, actors, filtered }
}
