import { isMessageKey, translate, type Locale, type MessageKey } from '../../../app/i18n/messages'

/**
 * The event catalogue: every action the portal writes to the audit log, the group a reader filters
 * it by, and a sentence in Dutch and English with the names filled in ("Anna de Vries
 * (regiocoördinator) heeft Piet Jansen toegevoegd als wethouder bij Gemeente Dordrecht."). Pure: the
 * names come from `resolveNames` in queries.ts, one batched query per kind of name for a whole page.
 *
 * A new action needs a line here; events.test.ts scans the source for action strings and fails
 * when one is missing. An action without a line still reads as a neutral sentence with its code.
 */
export const eventGroups = ['access', 'members', 'panels', 'documents', 'comments', 'settings', 'system'] as const
export type EventGroup = (typeof eventGroups)[number]

export interface EventText {
  group: EventGroup
  /** templates: {actor} is who did it; the other placeholders are filled by `eventVars` */
  nl: string
  en: string
}

export const auditEvents = {
  // toegang
  'auth.login': { group: 'access', nl: '{actor} heeft zich aangemeld {method}.', en: '{actor} signed in {method}.' },
  'auth.login_failed': { group: 'access', nl: 'Aanmelden mislukt voor {user}: {reason}.', en: 'Signing in failed for {user}: {reason}.' },
  'auth.logout': { group: 'access', nl: '{actor} heeft zich afgemeld.', en: '{actor} signed out.' },
  'auth.password_changed': { group: 'access', nl: '{actor} heeft het wachtwoord gewijzigd; {count} andere sessies zijn beëindigd.', en: '{actor} changed their password; {count} other sessions were ended.' },
  'auth.sessions_revoked': { group: 'access', nl: '{actor} heeft zich op andere apparaten afgemeld ({count} sessies beëindigd).', en: '{actor} signed out on other devices ({count} sessions ended).' },
  'panel_code.used': { group: 'access', nl: '{actor} is binnengekomen met een panelcode voor {organisation}.', en: '{actor} entered with a panel code for {organisation}.' },
  // leden en uitnodigingen
  'membership.added': { group: 'members', nl: '{actor} heeft {user} toegevoegd als {role} bij {organisation}.', en: '{actor} added {user} as {role} at {organisation}.' },
  'membership.role_changed': { group: 'members', nl: '{actor} heeft de rol van {user} bij {organisation} gewijzigd van {from} in {to}.', en: '{actor} changed the role of {user} at {organisation} from {from} to {to}.' },
  'membership.removed': { group: 'members', nl: '{actor} heeft {user} als {role} bij {organisation} verwijderd.', en: '{actor} removed {user} as {role} at {organisation}.' },
  'invitation.issued': { group: 'members', nl: '{actor} heeft iemand uitgenodigd als {role} bij {organisation}.', en: '{actor} invited someone as {role} at {organisation}.' },
  'invitation.created': { group: 'members', nl: '{actor} heeft iemand uitgenodigd als {role} bij {organisation}.', en: '{actor} invited someone as {role} at {organisation}.' },
  'invitation.accepted': { group: 'members', nl: '{actor} heeft de uitnodiging als {role} bij {organisation} aangenomen.', en: '{actor} accepted the invitation as {role} at {organisation}.' },
  'invitation.revoked': { group: 'members', nl: '{actor} heeft de uitnodiging als {role} bij {organisation} ingetrokken.', en: '{actor} revoked the invitation as {role} at {organisation}.' },
  // panels
  'panel_code.issued': { group: 'panels', nl: '{actor} heeft een panelcode uitgegeven voor {organisation}{under16}.', en: '{actor} issued a panel code for {organisation}{under16}.' },
  'panel_code.revoked': { group: 'panels', nl: '{actor} heeft een panelcode voor {organisation} ingetrokken.', en: '{actor} revoked a panel code for {organisation}.' },
  'consent.recorded': { group: 'panels', nl: '{actor} heeft de toestemming van een ouder of voogd voor {user} vastgelegd.', en: '{actor} recorded the consent of a parent or guardian for {user}.' },
  'consent.withdrawn': { group: 'panels', nl: '{actor} heeft de toestemming voor {user} ingetrokken.', en: '{actor} withdrew the consent for {user}.' },
  // documenten
  'document.created': { group: 'documents', nl: '{actor} heeft het document “{document}” ({docKind}) aangemaakt.', en: '{actor} created the document “{document}” ({docKind}).' },
  'document.locked': { group: 'documents', nl: '{actor} heeft “{document}” vastgezet.', en: '{actor} locked “{document}”.' },
  'document.unlocked': { group: 'documents', nl: '{actor} heeft “{document}” vrijgegeven.', en: '{actor} unlocked “{document}”.' },
  'document.version_saved': { group: 'documents', nl: '{actor} heeft versie “{version}” van “{document}” bewaard{automatic}.', en: '{actor} saved version “{version}” of “{document}”{automatic}.' },
  'document.version_restored': { group: 'documents', nl: '{actor} heeft “{document}” teruggezet naar versie “{version}”.', en: '{actor} restored “{document}” to version “{version}”.' },
  'document.adopted': { group: 'documents', nl: '{actor} heeft vastgelegd dat versie “{version}” van “{document}” is vastgesteld op {date} (kenmerk {reference}).', en: '{actor} recorded that version “{version}” of “{document}” was adopted on {date} (reference {reference}).' },
  // reacties
  'comment.created': { group: 'comments', nl: '{actor} heeft gereageerd op “{document}”.', en: '{actor} commented on “{document}”.' },
  'comment.approved': { group: 'comments', nl: '{actor} heeft een reactie op “{document}” goedgekeurd.', en: '{actor} approved a comment on “{document}”.' },
  'comment.hidden': { group: 'comments', nl: '{actor} heeft een reactie op “{document}” verborgen, met als reden: {reason}.', en: '{actor} hid a comment on “{document}”, giving as the reason: {reason}.' },
  'comment.disposition_set': { group: 'comments', nl: '{actor} heeft bij een reactie op “{document}” vastgelegd: {disposition}{version}.', en: '{actor} recorded for a comment on “{document}”: {disposition}{version}.' },
  // instellingen
  'region.created': { group: 'settings', nl: '{actor} heeft de regio {name} aangemaakt.', en: '{actor} created the region {name}.' },
  'region.updated': { group: 'settings', nl: '{actor} heeft de gegevens van de regio gewijzigd.', en: '{actor} changed the details of the region.' },
  'region.settings_changed': { group: 'settings', nl: '{actor} heeft de instellingen van de regio gewijzigd: {settings}.', en: '{actor} changed the settings of the region: {settings}.' },
  'municipality.created': { group: 'settings', nl: '{actor} heeft de gemeente {name} toegevoegd.', en: '{actor} added the municipality {name}.' },
  'municipality.updated': { group: 'settings', nl: '{actor} heeft de gemeente {name} gewijzigd.', en: '{actor} changed the municipality {name}.' },
  'organisation.created': { group: 'settings', nl: '{actor} heeft de organisatie {name} ({kind}) toegevoegd.', en: '{actor} added the organisation {name} ({kind}).' },
  'organisation.updated': { group: 'settings', nl: '{actor} heeft de organisatie {name} ({kind}) gewijzigd.', en: '{actor} changed the organisation {name} ({kind}).' },
  // systeem
  'audit.chain_keyed': { group: 'system', nl: '{actor} heeft {count} oudere regels van het logboek met de sleutel verzegeld.', en: '{actor} sealed {count} older entries of the log with the key.' },
  'audit.exported': { group: 'system', nl: '{actor} heeft het logboek gedownload ({filter}).', en: '{actor} downloaded the audit log ({filter}).' },
} as const satisfies Record<string, EventText>

export type KnownAction = keyof typeof auditEvents

const catalogue: Readonly<Record<string, EventText>> = auditEvents

export function isKnownAction(action: string): action is KnownAction {
  return Object.hasOwn(catalogue, action)
}

/** The actions of a group, for the "what" filter. */
export function actionsOf(group: EventGroup): string[] {
  return Object.entries(catalogue)
    .filter(([, e]) => e.group === group)
    .map(([action]) => action)
}

export function groupOf(action: string): EventGroup | null {
  return isKnownAction(action) ? catalogue[action]!.group : null
}

/** The fields of an entry that its sentence is made from (as listAudit returns them). */
export interface EntryFacts {
  action: string
  actor_id: string | null
  subject_type: string
  subject_id: string | null
  /** the stored JSON */
  data: string
}

/** A person as the log names them: the display name, and their roles in the region unless under 16. */
export interface PersonName {
  name: string
  under16: boolean
  /** role keys in this region, now */
  roles: string[]
}

/** What `resolveNames` found for a page of entries: ids to names, only of the region's own records. */
export interface Names {
  users: ReadonlyMap<string, PersonName>
  organisations: ReadonlyMap<string, string>
  documents: ReadonlyMap<string, { title: string; kind: string }>
  versions: ReadonlyMap<string, string>
  /** panel code id → organisation id */
  panelCodes: ReadonlyMap<string, string>
  /** comment id → document id */
  comments: ReadonlyMap<string, string>
  /** invitation id → its role and organisation id */
  invitations: ReadonlyMap<string, { role: string; organisationId: string }>
}

export const noNames: Names = {
  users: new Map(),
  organisations: new Map(),
  documents: new Map(),
  versions: new Map(),
  panelCodes: new Map(),
  comments: new Map(),
  invitations: new Map(),
}

/** The stored data of an entry as an object (an entry with unreadable data reads as empty). */
export function entryData(e: Pick<EntryFacts, 'data'>): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(e.data)
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

/** The ids in an entry that name something, by kind: what `resolveNames` looks up for a page. */
export function idsIn(e: EntryFacts): { users: string[]; organisations: string[]; documents: string[]; versions: string[]; panelCodes: string[]; comments: string[]; invitations: string[] } {
  const d = entryData(e)
  const filter = d.filter && typeof d.filter === 'object' ? (d.filter as Record<string, unknown>) : {}
  const subject = (type: string) => (e.subject_type === type && e.subject_id ? [e.subject_id] : [])
  const some = (...xs: Array<string | undefined | null>) => xs.filter((x): x is string => Boolean(x))
  return {
    users: some(e.actor_id, ...subject('user'), str(filter.actorId)),
    organisations: some(str(d.organisationId), ...subject('organisation')),
    documents: subject('document'),
    versions: some(str(d.versionId)),
    panelCodes: subject('panel_code'),
    comments: subject('comment'),
    invitations: subject('invitation'),
  }
}

type Vars = Record<string, string>

function word(locale: Locale, key: string, fallback: string): string {
  return isMessageKey(key) ? translate(locale, key) : fallback
}

/** A person in a sentence: the display name, with the roles in the region for adults. */
function person(locale: Locale, names: Names, id: string | null, withRoles: boolean): string {
  if (!id) return translate(locale, 'audit.unknownPerson')
  const p = names.users.get(id)
  if (!p) return translate(locale, 'audit.unknownPerson')
  if (!withRoles || p.under16 || p.roles.length === 0) return p.name
  return `${p.name} (${p.roles.map((r) => word(locale, `role.${r}`, r)).join(', ')})`
}

function calendarDate(locale: Locale, ymd: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(ymd)) return ymd
  return new Intl.DateTimeFormat(locale === 'nl' ? 'nl-NL' : 'en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${ymd}T00:00:00Z`))
}

/** What an export's filter was, in words: "wie: Anna de Vries, wat: Documenten, van 1 maart 2027". */
export function describeFilter(locale: Locale, names: Names, filter: Record<string, unknown>): string {
  const parts: string[] = []
  const actorId = str(filter.actorId)
  if (actorId) parts.push(`${translate(locale, 'audit.filter.who').toLocaleLowerCase(locale)}: ${person(locale, names, actorId, false)}`)
  const group = str(filter.group)
  if (group) parts.push(`${translate(locale, 'audit.filter.what').toLocaleLowerCase(locale)}: ${word(locale, `audit.group.${group}`, group)}`)
  const from = str(filter.from)
  if (from) parts.push(translate(locale, 'audit.filter.fromText', { date: calendarDate(locale, from) }))
  const to = str(filter.to)
  if (to) parts.push(translate(locale, 'audit.filter.toText', { date: calendarDate(locale, to) }))
  return parts.length ? parts.join(', ') : translate(locale, 'audit.filter.everything')
}

/** The values for the placeholders of an entry's sentence. */
export function eventVars(locale: Locale, names: Names, e: EntryFacts): Vars {
  const d = entryData(e)
  const unknown = translate(locale, 'audit.unknown')
  const someOrganisation = translate(locale, 'audit.unknownOrganisation')
  const orgName = (id: string | undefined) => (id ? (names.organisations.get(id) ?? someOrganisation) : someOrganisation)
  const role = (r: unknown) => (str(r) ? word(locale, `role.${str(r)}`, str(r)!) : unknown)
  const subjectId = e.subject_id ?? undefined
  const invitation = e.subject_type === 'invitation' && subjectId ? names.invitations.get(subjectId) : undefined

  let organisation: string
  if (str(d.organisationId)) organisation = orgName(str(d.organisationId))
  else if (e.subject_type === 'panel_code' && subjectId) organisation = orgName(names.panelCodes.get(subjectId))
  else if (invitation) organisation = orgName(invitation.organisationId)
  else organisation = someOrganisation

  let documentId: string | undefined
  if (e.subject_type === 'document') documentId = subjectId
  else if (e.subject_type === 'comment' && subjectId) documentId = names.comments.get(subjectId)
  const doc = documentId ? names.documents.get(documentId) : undefined

  const versionId = str(d.versionId)
  const versionLabel = (versionId && names.versions.get(versionId)) || str(d.label) || unknown

  const vars: Vars = {
    actor: e.actor_id ? person(locale, names, e.actor_id, true) : translate(locale, 'audit.systemActor'),
    user: e.subject_type === 'user' && subjectId ? person(locale, names, subjectId, false) : translate(locale, 'audit.unknownAccount'),
    organisation,
    role: role(d.role ?? invitation?.role),
    from: role(d.from),
    to: role(d.to),
    document: doc?.title ?? str(d.title) ?? unknown,
    docKind: word(locale, `doc.kind.${doc?.kind ?? str(d.kind) ?? ''}`, unknown),
    version: versionLabel,
    name: str(d.name) ?? (e.subject_type === 'organisation' && subjectId ? orgName(subjectId) : unknown),
    kind: word(locale, `kind.${str(d.kind) ?? ''}`, unknown),
    count: String(typeof d.sessionsRevoked === 'number' ? d.sessionsRevoked : typeof d.unkeyedEntries === 'number' ? d.unkeyedEntries : 0),
    date: str(d.adoptedOn) ? calendarDate(locale, str(d.adoptedOn)!) : unknown,
    reference: str(d.reference) ?? unknown,
    method: str(d.method) ? word(locale, `audit.method.${str(d.method)}`, str(d.method)!) : '',
    // a failed login's reason is a code; a hidden comment's is the moderator's own words
    reason: e.action === 'auth.login_failed' ? word(locale, `audit.failure.${str(d.reason) ?? ''}`, unknown) : (str(d.reason) ?? unknown),
    disposition: str(d.disposition) ? word(locale, `disposition.${str(d.disposition)}`, str(d.disposition)!) : unknown,
    under16: d.under16 === true ? ` (${translate(locale, 'audit.under16')})` : '',
    automatic: d.automatic === true ? ` (${translate(locale, 'audit.automatic')})` : '',
    settings: 'providersMayDraft' in d ? translate(locale, d.providersMayDraft ? 'audit.settings.draftOn' : 'audit.settings.draftOff') : unknown,
    filter: describeFilter(locale, names, d.filter && typeof d.filter === 'object' ? (d.filter as Record<string, unknown>) : {}),
    code: e.action,
  }
  if (e.action === 'comment.disposition_set') {
    vars.version = versionId ? translate(locale, 'audit.handledIn', { version: versionLabel }) : ''
  }
  return vars
}

function fill(template: string, vars: Vars): string {
  const text = template.replace(/\{(\w+)\}/g, (m, name: string) => vars[name] ?? m).replace(/ {2,}/g, ' ').replace(/ \./g, '.')
  return text.charAt(0).toLocaleUpperCase('nl') + text.slice(1)
}

/** The sentence of one entry in the reader's language; an unknown action reads neutrally, with its code. */
export function describeEvent(locale: Locale, names: Names, e: EntryFacts): string {
  const vars = eventVars(locale, names, e)
  if (!isKnownAction(e.action)) return fill(translate(locale, 'audit.unknownEvent'), vars)
  return fill(catalogue[e.action]![locale], vars)
}

/** The translated name of a group (the "what" filter and the export's description). */
export function groupLabel(locale: Locale, group: EventGroup): string {
  return translate(locale, `audit.group.${group}` as MessageKey)
}
