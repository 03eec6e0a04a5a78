/**
 * Table types for kysely. Columns are snake_case, as in the database. Timestamps are ISO-8601
 * strings in UTC and booleans are 0/1 integers, so that SQLite and PostgreSQL return the same
 * shapes (see docs/decisions/0002-two-dialects.md).
 */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely'

export const organisationKinds = [
  'municipality',
  'provider',
  'school_partnership',
  'panel',
  'access_team',
  'other',
] as const
export type OrganisationKind = (typeof organisationKinds)[number]

export const roles = [
  'region_admin',
  'alderman',
  'civil_servant',
  'provider_member',
  'panel_member',
  'education_partner',
  'evaluator',
] as const
export type Role = (typeof roles)[number]

export interface RegionTable {
  id: string
  slug: string
  name: string
  description: string
  /** 1 when the region lets providers co-draft its leading principles */
  providers_may_draft: Generated<number>
  created_at: string
}

export interface MunicipalityTable {
  id: string
  region_id: string
  name: string
  /** e.g. IJmond or Zuid-Kennemerland within the joint region; empty when none */
  subregion: string
  created_at: string
}

export interface OrganisationTable {
  id: string
  region_id: string
  name: string
  kind: OrganisationKind
  created_at: string
}

export interface UserTable {
  id: string
  /** null for panel members, who sign in with access codes */
  email: string | null
  name: string
  password_hash: string | null
  /** 1 for panel members younger than 16: they take part only with a guardian's consent */
  under_16: number
  created_at: string
}

export interface MembershipTable {
  id: string
  user_id: string
  region_id: string
  organisation_id: string
  role: Role
  created_at: string
}

export interface SessionTable {
  id: string
  user_id: string
  /** hex SHA-256 of the token's secret part; the secret itself is never stored */
  secret_hash: string
  created_at: string
  last_verified_at: string
  /** a coarse device label ("Chrome op Linux") so people recognise their sessions */
  device: string
}

export interface InvitationTable {
  id: string
  region_id: string
  organisation_id: string
  role: Role
  email: string
  token_hash: string
  invited_by: string
  created_at: string
  expires_at: string
  accepted_at: string | null
  accepted_by: string | null
  revoked_at: string | null
}

export interface PanelAccessCodeTable {
  id: string
  region_id: string
  organisation_id: string
  code_hash: string
  /** set when the code is for re-entry of an existing member, or after first use */
  user_id: string | null
  under_16: number
  created_by: string
  created_at: string
  expires_at: string
  used_at: string | null
  /** set when a coordinator revoked the code before it was used */
  revoked_at: string | null
  revoked_by: string | null
}

export interface GuardianConsentTable {
  id: string
  user_id: string
  region_id: string
  /** who gave consent, as the coordinator wrote it down (e.g. "moeder") */
  given_by: string
  recorded_by: string
  recorded_at: string
  withdrawn_at: string | null
  withdrawn_by: string | null
}

export interface LoginThrottleTable {
  key: string
  failures: number
  window_started_at: string
  blocked_until: string | null
}

export interface AuditLogTable {
  seq: Generated<number>
  at: string
  region_id: string | null
  actor_id: string | null
  action: string
  subject_type: string
  subject_id: string | null
  /** JSON object with the details; never secrets or more personal data than needed */
  data: string
  prev_hash: string
  hash: string
  /** 1: unkeyed SHA-256 (rows from before the keyed chain), 2: HMAC-SHA-256 with the audit key */
  chain_version: Generated<number>
  /** fingerprint of the key a keyed row was signed with (never the key itself) */
  key_id: string | null
}

export const documentKinds = [
  'principles',
  'submission',
  'proposal',
  'mandate',
  'agreement',
  'minutes',
] as const
export type DocumentKind = (typeof documentKinds)[number]

export interface DocumentTable {
  id: string
  region_id: string
  kind: DocumentKind
  title: string
  /** the organisation whose document it is (a provider's submission); null for the region's own */
  owner_organisation_id: string | null
  status: 'draft' | 'locked'
  locked_at: string | null
  /** from this moment (ISO, server clock) the document is read-only; null: no deadline */
  closes_at: ColumnType<string | null, string | null | undefined, string | null>
  last_seq: number
  created_by: string | null
  created_at: string
}

export interface DocUpdateTable {
  doc_id: string
  seq: number
  update: Uint8Array
  created_at: string
}

export interface DocStateTable {
  doc_id: string
  /** Y.encodeStateAsUpdate (v1) of everything up to and including upto_seq */
  state: Uint8Array
  upto_seq: number
  updated_at: string
}

export interface DocVersionTable {
  id: string
  doc_id: string
  label: string
  /** Y.encodeStateAsUpdateV2 of the document when the version was saved */
  state: Uint8Array
  created_by: string | null
  created_at: string
}

export const dispositions = ['open', 'considering', 'adopted', 'partly_adopted', 'not_adopted', 'out_of_scope'] as const
export type Disposition = (typeof dispositions)[number]
export type Moderation = 'visible' | 'pending' | 'hidden'

export interface CommentTable {
  id: string
  doc_id: string
  region_id: string
  author_id: string
  /** base64 of Y.encodeRelativePosition */
  anchor_start: string
  anchor_end: string
  /** the words as they were when the comment was made */
  quote: string
  section: string
  body: string
  moderation: Moderation
  hidden_reason: string | null
  moderated_by: string | null
  moderated_at: string | null
  disposition: Disposition
  disposition_reason: string | null
  disposition_version_id: string | null
  disposition_by: string | null
  disposition_at: string | null
  created_at: string
}

export interface CommentReplyTable {
  id: string
  comment_id: string
  author_id: string
  body: string
  moderation: Moderation
  created_at: string
}

export interface NotificationTable {
  id: string
  user_id: string
  region_id: string | null
  kind: string
  subject_id: string | null
  data: string
  created_at: string
  read_at: string | null
}

export interface AdoptionTable {
  id: string
  doc_id: string
  version_id: string
  /** the date of the PHO decision, YYYY-MM-DD */
  adopted_on: string
  reference: string
  adopted_by: string
  created_at: string
}

export interface Database {
  comments: CommentTable
  comment_replies: CommentReplyTable
  notifications: NotificationTable
  adoptions: AdoptionTable
  documents: DocumentTable
  doc_updates: DocUpdateTable
  doc_states: DocStateTable
  doc_versions: DocVersionTable
  regions: RegionTable
  municipalities: MunicipalityTable
  organisations: OrganisationTable
  users: UserTable
  memberships: MembershipTable
  sessions: SessionTable
  invitations: InvitationTable
  panel_access_codes: PanelAccessCodeTable
  guardian_consents: GuardianConsentTable
  login_throttle: LoginThrottleTable
  audit_log: AuditLogTable
}

export type Region = Selectable<RegionTable>
export type Municipality = Selectable<MunicipalityTable>
export type Organisation = Selectable<OrganisationTable>
export type User = Selectable<UserTable>
export type Membership = Selectable<MembershipTable>
export type Invitation = Selectable<InvitationTable>
export type AuditEntry = Selectable<AuditLogTable>
export type NewAuditEntry = Insertable<AuditLogTable>
export type Document = Selectable<DocumentTable>
