import { describe, expect, it } from 'vitest'
import { roles, type OrganisationKind, type Role } from '../../db/schema'
import { abilitiesIn, can, resourceActions, type Actor, type ResourceType } from './can'

/**
 * The full access matrix, written out by hand from the intended policy (DESIGN.md "Access",
 * ADR 0005). It is deliberately not derived from the implementation: each row lists the roles
 * that may perform the action in a region where they hold a membership.
 */
const REGION_A = 'region-a'
const REGION_B = 'region-b'

/** "Every role": the schema's list. A new role still needs a decision here: its line in `kindFor` below. */
const everyRole: Role[] = [...roles]

const expected: Record<string, Record<string, Role[]>> = {
  region: {
    view: everyRole,
    administer: ['region_admin'],
  },
  municipality: {
    list: everyRole,
    create: ['region_admin'],
    update: ['region_admin'],
  },
  organisation: {
    list: everyRole,
    create: ['region_admin'],
    update: ['region_admin'],
  },
  membership: {
    list: ['region_admin'],
    manage: ['region_admin'],
  },
  invitation: {
    list: ['region_admin'],
    create: ['region_admin'],
    revoke: ['region_admin'],
  },
  panelAccess: {
    manage: ['region_admin', 'civil_servant'],
  },
  auditLog: {
    read: ['region_admin'],
  },
}

const kindFor: Record<Role, OrganisationKind> = {
  region_admin: 'municipality',
  alderman: 'municipality',
  civil_servant: 'municipality',
  provider_member: 'provider',
  panel_member: 'panel',
  education_partner: 'school_partnership',
  evaluator: 'other',
}

function actorWith(...memberships: Array<{ role: Role; regionId: string }>): Actor {
  return {
    userId: `user-${memberships.map((m) => m.role).join('-') || 'none'}`,
    memberships: memberships.map((m) => ({
      regionId: m.regionId,
      organisationId: `org-${m.regionId}-${m.role}`,
      organisationKind: kindFor[m.role],
      role: m.role,
    })),
  }
}

/** Every (type, action) pair of the matrix above. */
const cells = Object.entries(expected).flatMap(([type, actions]) =>
  Object.entries(actions).map(([action, allowed]) => ({ type: type as ResourceType, action, allowed })),
)

function check(actor: Actor | null, type: ResourceType, action: string, regionId = REGION_A): boolean {
  return can(actor, action as never, { type, regionId })
}

describe('the access matrix', () => {
  it('knows exactly the roles of the schema (a new role needs a decision in this table)', () => {
    expect(Object.keys(kindFor).sort()).toEqual([...roles].sort())
  })

  it('has a row for every (resource, action) pair in resourceActions, and no row for anything else', () => {
    const defined = Object.entries(resourceActions)
      .flatMap(([type, actions]) => actions.map((a) => `${type}.${a}`))
      .sort()
    const tabled = cells.map((c) => `${c.type}.${c.action}`).sort()
    expect(tabled).toEqual(defined)
  })

  describe.each(everyRole)('a %s of the region', (role) => {
    const actor = actorWith({ role, regionId: REGION_A })

    it.each(cells)('$type.$action', ({ type, action, allowed }) => {
      expect(check(actor, type, action)).toBe(allowed.includes(role))
    })
  })

  describe('a user whose only membership is in another region', () => {
    const outsider = actorWith({ role: 'region_admin', regionId: REGION_B })

    it.each(cells)('$type.$action is refused', ({ type, action }) => {
      expect(check(outsider, type, action)).toBe(false)
    })
  })

  describe('no actor (not logged in)', () => {
    it.each(cells)('$type.$action is refused', ({ type, action }) => {
      expect(check(null, type, action)).toBe(false)
    })
  })

  it('refuses everything to a user without any membership', () => {
    const nobody = actorWith()
    for (const { type, action } of cells) expect(check(nobody, type, action), `${type}.${action}`).toBe(false)
  })
})

describe('region scoping', () => {
  it.each(everyRole)('a %s membership in region A grants nothing in region B', (role) => {
    const actor = actorWith({ role, regionId: REGION_A })
    for (const { type, action, allowed } of cells) {
      // the same actor in its own region, so the refusal below is about the region, not the role
      expect(check(actor, type, action, REGION_A), `${type}.${action} in A`).toBe(allowed.includes(role))
      expect(check(actor, type, action, REGION_B), `${type}.${action} in B`).toBe(false)
    }
  })

  it('judges each region by the memberships held there', () => {
    const actor = actorWith({ role: 'region_admin', regionId: REGION_A }, { role: 'panel_member', regionId: REGION_B })
    expect(check(actor, 'auditLog', 'read', REGION_A)).toBe(true)
    expect(check(actor, 'auditLog', 'read', REGION_B)).toBe(false)
    expect(check(actor, 'region', 'view', REGION_B)).toBe(true)
    expect(check(actor, 'panelAccess', 'manage', REGION_B)).toBe(false)
  })

  it('gives a person with several roles in a region the union of what each role allows', () => {
    const actor = actorWith({ role: 'panel_member', regionId: REGION_A }, { role: 'civil_servant', regionId: REGION_A })
    for (const { type, action, allowed } of cells) {
      const either = allowed.includes('panel_member') || allowed.includes('civil_servant')
      expect(check(actor, type, action), `${type}.${action}`).toBe(either)
    }
  })
})

describe('unknown actions', () => {
  it('refuses an action that does not exist on the resource', () => {
    const admin = actorWith({ role: 'region_admin', regionId: REGION_A })
    expect(check(admin, 'region', 'delete')).toBe(false)
    expect(check(admin, 'auditLog', 'write')).toBe(false)
    // An action of another resource type is not an action of this one.
    expect(check(admin, 'panelAccess', 'read')).toBe(false)
  })

  it('refuses names inherited from Object and unknown resource types instead of throwing', () => {
    const admin = actorWith({ role: 'region_admin', regionId: REGION_A })
    for (const name of ['toString', 'constructor', 'valueOf', 'hasOwnProperty', '__proto__']) {
      expect(check(admin, 'auditLog', name)).toBe(false)
      expect(can(admin, name as never, { type: name as never, regionId: REGION_A })).toBe(false)
    }
    expect(can(admin, 'view' as never, { type: 'bogus' as never, regionId: REGION_A })).toBe(false)
  })
})

describe('abilitiesIn', () => {
  const actors: Array<[string, Actor | null]> = [
    ...everyRole.map((role): [string, Actor] => [role, actorWith({ role, regionId: REGION_A })]),
    ['member of another region only', actorWith({ role: 'region_admin', regionId: REGION_B })],
    ['nobody', null],
  ]

  it.each(actors)('agrees with can() and the matrix for %s', (_label, actor) => {
    const abilities = abilitiesIn(actor, REGION_A) as Record<string, Record<string, boolean>>
    expect(Object.keys(abilities).sort()).toEqual(Object.keys(resourceActions).sort())
    for (const { type, action, allowed } of cells) {
      const answer = abilities[type]?.[action]
      expect(answer, `${type}.${action}`).toBe(check(actor, type, action))
      const role = actor?.memberships.find((m) => m.regionId === REGION_A)?.role
      expect(answer, `${type}.${action} against the matrix`).toBe(role ? allowed.includes(role) : false)
    }
  })
})
