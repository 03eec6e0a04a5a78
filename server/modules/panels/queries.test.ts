import { describe, expect, it } from 'vitest'
import type { Role } from '../../../db/schema'
import { eachRegionSetting, makeOrganisation, makeRegion, makeUser, T0 } from '../../../tests/support/db'
import { addMembership } from '../regions/commands'
import { listMembers } from '../regions/queries'
import { listPanelMembers } from './queries'

const s = eachRegionSetting()

async function person(name: string, at: { regionId: string; organisationId: string; role: Role }, email?: string | null) {
  const userId = await makeUser(s.db, { name, email })
  await addMembership(s.db, { userId, ...at, actorId: null, now: T0 })
  return userId
}

describe('the people of a region', () => {
  it("lists a region's panel members by panel, then name, without their e-mail address", async () => {
    const { db, regionId, panelId, staffOrgId } = s
    const earlier = await makeOrganisation(db, regionId, { name: 'Adviesraad', kind: 'panel' })
    await person('Zara', { regionId, organisationId: panelId, role: 'panel_member' }, null)
    await person('Bram', { regionId, organisationId: panelId, role: 'panel_member' })
    await person('Yusuf', { regionId, organisationId: earlier, role: 'panel_member' }, null)
    await person('Anna', { regionId, organisationId: staffOrgId, role: 'civil_servant' })
    const elsewhere = await makeRegion(db)
    await person('Otto', { regionId: elsewhere, organisationId: await makeOrganisation(db, elsewhere, { kind: 'panel' }), role: 'panel_member' })

    const members = await listPanelMembers(db, regionId)
    expect(members.map((m) => [m.organisation_name, m.name, m.signsInWithCode])).toEqual([
      ['Adviesraad', 'Yusuf', true],
      ['Jongerenpanel', 'Bram', false],
      ['Jongerenpanel', 'Zara', true],
    ])
    expect(Object.keys(members[0]!).sort()).toEqual(['consent', 'name', 'organisation_id', 'organisation_name', 'signsInWithCode', 'under_16', 'user_id'])
  })

  it("lists every member of the region by name for the administrator, with the roles each may get", async () => {
    const { db, regionId, panelId, staffOrgId } = s
    await person('Zara', { regionId, organisationId: panelId, role: 'panel_member' }, null)
    await person('Anna', { regionId, organisationId: staffOrgId, role: 'alderman' })
    const elsewhere = await makeRegion(db)
    await person('Otto', { regionId: elsewhere, organisationId: await makeOrganisation(db, elsewhere), role: 'alderman' })

    const members = await listMembers(db, regionId)
    expect(members.map((m) => m.name)).toEqual(['Anna', ...members.slice(1, -1).map((m) => m.name), 'Zara'])
    expect(members.map((m) => m.name)).not.toContain('Otto')
    expect(members.find((m) => m.name === 'Anna')).toMatchObject({ role: 'alderman', organisation_name: 'Gemeente Haarlem', organisation_kind: 'municipality' })
    expect(members.find((m) => m.name === 'Anna')?.roles).toContain('alderman')
  })
})
