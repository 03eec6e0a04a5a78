import type { OrganisationKind, Role } from '../../db/schema'

/** Who is asking: a person with the memberships that count (a member under 16 without consent has none). */
export interface ActorMembership {
  regionId: string
  organisationId: string
  organisationKind: OrganisationKind
  role: Role
}

export interface Actor {
  userId: string
  /** Only memberships that count: a member under 16 without guardian consent has none there. */
  memberships: ActorMembership[]
}
