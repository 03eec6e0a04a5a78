import { describe, expect, it } from 'vitest'
import { organisationKinds, roles, type OrganisationKind, type Role } from '../../db/schema'
import { can, type Actor } from './can'
import { holdsPanelMembers, onlyPanelMember, roleFitsOrganisation } from './memberships'

/**
 * Which role fits which kind of organisation, written out by hand as the full matrix (role × kind),
 * not derived from the table in memberships.ts: a change to the rule must change this test too.
 * ✓ = the role can be held there.
 */
const matrix: Record<Role, Record<OrganisationKind, boolean>> = {
  //                  municipality provider school_partnership panel access_team other
  region_admin:      { municipality: true, provider: false, school_partnership: false, panel: false, access_team: false, other: true },
  alderman:          { municipality: true, provider: false, school_partnership: false, panel: false, access_team: false, other: false },
  civil_servant:     { municipality: true, provider: false, school_partnership: false, panel: false, access_team: true, other: true },
  provider_member:   { municipality: false, provider: true, school_partnership: false, panel: false, access_team: false, other: false },
  panel_member:      { municipality: false, provider: false, school_partnership: false, panel: true, access_team: false, other: false },
  education_partner: { municipality: false, provider: false, school_partnership: true, panel: false, access_team: false, other: false },
  evaluator:         { municipality: true, provider: false, school_partnership: false, panel: false, access_team: false, other: true },
}

const REGION = 'region-a'
const admin: Actor = { userId: 'a', memberships: [{ regionId: REGION, organisationId: 'bureau', organisationKind: 'other', role: 'region_admin' }] }
const servant: Actor = { userId: 's', memberships: [{ regionId: REGION, organisationId: 'velsen', organisationKind: 'municipality', role: 'civil_servant' }] }

describe('roleFitsOrganisation', () => {
  it('covers every role and every kind of the schema', () => {
    expect(Object.keys(matrix).sort()).toEqual([...roles].sort())
    for (const role of roles) expect(Object.keys(matrix[role]).sort()).toEqual([...organisationKinds].sort())
  })

  for (const role of roles) {
    for (const kind of organisationKinds) {
      it(`${role} ${matrix[role][kind] ? 'fits' : 'does not fit'} a ${kind}`, () => {
        expect(roleFitsOrganisation(role, kind)).toBe(matrix[role][kind])
      })
    }
  }

  it('knows no kind from the wire, such as "constructor"', () => {
    expect(roleFitsOrganisation('alderman', 'constructor' as OrganisationKind)).toBe(false)
  })
})

describe('can() with a grant: the role must fit the organisation', () => {
  for (const role of roles) {
    for (const kind of organisationKinds) {
      const grant = { role, organisationKind: kind }
      // Panel members join with a code, never with an e-mail invitation (ADR 0005).
      const invitable = matrix[role][kind] && role !== 'panel_member'
      it(`${role} at a ${kind}: invite ${invitable ? 'yes' : 'no'}, manage ${matrix[role][kind] ? 'yes' : 'no'}`, () => {
        expect(can(admin, 'create', { type: 'invitation', regionId: REGION, grant })).toBe(invitable)
        expect(can(admin, 'manage', { type: 'membership', regionId: REGION, grant })).toBe(matrix[role][kind])
        // A fitting pair grants nothing to someone who may not invite or manage at all.
        expect(can(servant, 'create', { type: 'invitation', regionId: REGION, grant })).toBe(false)
        expect(can(servant, 'manage', { type: 'membership', regionId: REGION, grant })).toBe(false)
        // Nor in another region.
        expect(can(admin, 'create', { type: 'invitation', regionId: 'region-b', grant })).toBe(false)
      })
    }
  }

  it('answers without a grant whether the actor may invite at all (the button)', () => {
    expect(can(admin, 'create', { type: 'invitation', regionId: REGION })).toBe(true)
    expect(can(servant, 'create', { type: 'invitation', regionId: REGION })).toBe(false)
  })
})

describe('panel helpers', () => {
  it('only panel organisations hold panel members', () => {
    expect(holdsPanelMembers({ kind: 'panel' })).toBe(true)
    for (const kind of ['municipality', 'other', 'access_team', 'provider', 'school_partnership'] as const) expect(holdsPanelMembers({ kind })).toBe(false)
  })
  it('a person is only a panel member when every membership is one, and there is at least one', () => {
    expect(onlyPanelMember([{ role: 'panel_member' }, { role: 'panel_member' }])).toBe(true)
    expect(onlyPanelMember([{ role: 'panel_member' }, { role: 'civil_servant' }])).toBe(false)
    expect(onlyPanelMember([])).toBe(false)
  })
})
