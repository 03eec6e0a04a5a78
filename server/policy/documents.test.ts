import { describe, expect, it } from 'vitest'
import { documentKinds, roles, type DocumentKind, type Role } from '../../db/schema'
import { can, documentActions, isClosed, permissionOn, type Actor, type DocumentResource, type Permission } from './can'

/**
 * Document permissions, written out by hand: role × kind, for an open and a locked document, and
 * for the owner's team versus everyone else on a provider's submission.
 */
const REGION = 'region-a'
const OWNER = 'org-kompas'

function actor(role: Role, organisationId = `org-${role}`, regionId = REGION): Actor {
  return { userId: `u-${role}`, memberships: [{ regionId, organisationId, organisationKind: 'other', role }] }
}

const doc = (kind: DocumentKind, locked = false): DocumentResource => ({
  type: 'document',
  regionId: REGION,
  kind,
  ownerOrganisationId: kind === 'submission' ? OWNER : null,
  locked,
})

// The region's formal documents (proposal, mandate, agreement, minutes): its staff write them, all others read.
const staffWriteOthersRead: Record<Role, Permission> = {
  region_admin: 'edit', alderman: 'edit', civil_servant: 'edit',
  provider_member: 'read', panel_member: 'read', education_partner: 'read', evaluator: 'read',
}

// Expected level per kind and role, for an open document (not the owner's team for submissions).
const expected: Record<DocumentKind, Record<Role, Permission>> = {
  principles: {
    region_admin: 'edit', alderman: 'edit', civil_servant: 'edit',
    provider_member: 'comment', panel_member: 'comment', education_partner: 'comment', evaluator: 'read',
  },
  submission: {
    region_admin: 'none', alderman: 'none', civil_servant: 'none',
    provider_member: 'none', panel_member: 'none', education_partner: 'none', evaluator: 'none',
  },
  proposal: staffWriteOthersRead,
  mandate: staffWriteOthersRead,
  agreement: staffWriteOthersRead,
  minutes: staffWriteOthersRead,
}

describe('document permissions', () => {
  it('cover every kind and every role', () => {
    expect(Object.keys(expected).sort()).toEqual([...documentKinds].sort())
    for (const kind of documentKinds) expect(Object.keys(expected[kind]).sort()).toEqual([...roles].sort())
  })

  for (const kind of documentKinds) {
    for (const role of roles) {
      it(`${kind}: ${role} → ${expected[kind][role]}, locked → ${expected[kind][role] === 'none' ? 'none' : 'read'}`, () => {
        expect(permissionOn(actor(role), doc(kind))).toBe(expected[kind][role])
        expect(permissionOn(actor(role), doc(kind, true))).toBe(expected[kind][role] === 'none' ? 'none' : 'read')
      })
    }
  }

  it("gives a provider's team edit on its own submission, and no other provider anything", () => {
    expect(permissionOn(actor('provider_member', OWNER), doc('submission'))).toBe('edit')
    expect(permissionOn(actor('provider_member', 'org-de-brug'), doc('submission'))).toBe('none')
    expect(permissionOn(actor('provider_member', OWNER), doc('submission', true))).toBe('read')
    // The same organisation id in another region counts for nothing.
    expect(permissionOn(actor('provider_member', OWNER, 'region-b'), doc('submission'))).toBe('none')
  })

  it('lets providers co-draft the principles only where the region allows it', () => {
    const provider = actor('provider_member')
    expect(permissionOn(provider, { ...doc('principles'), providersMayDraft: true })).toBe('edit')
    expect(permissionOn(provider, { ...doc('proposal'), providersMayDraft: true })).toBe('read')
    expect(permissionOn(actor('panel_member'), { ...doc('principles'), providersMayDraft: true })).toBe('comment')
    expect(permissionOn(provider, { ...doc('principles', true), providersMayDraft: true })).toBe('read')
  })

  it('makes a document past its closing time read-only at that moment, for everyone who could read it', () => {
    const closesAt = '2026-12-02T12:00:00.000Z'
    const asOf = (iso: string) => ({ ...doc('principles'), closesAt, asOf: new Date(iso) })
    const drafter = actor('civil_servant')
    const panel = actor('panel_member')
    // One millisecond before: open; at the moment itself and after: closed.
    expect(permissionOn(drafter, asOf('2026-12-02T11:59:59.999Z'))).toBe('edit')
    expect(permissionOn(panel, asOf('2026-12-02T11:59:59.999Z'))).toBe('comment')
    for (const at of ['2026-12-02T12:00:00.000Z', '2026-12-03T09:00:00.000Z']) {
      expect(permissionOn(drafter, asOf(at))).toBe('read')
      expect(permissionOn(panel, asOf(at))).toBe('read')
      expect(can(drafter, 'edit', asOf(at))).toBe(false)
      expect(can(panel, 'comment', asOf(at))).toBe(false)
      expect(can(panel, 'read', asOf(at))).toBe(true)
    }
    // Closing gives nobody anything: a competitor still gets nothing on a submission.
    const submission = { ...doc('submission'), closesAt, asOf: new Date('2026-12-03T00:00:00Z') }
    expect(permissionOn(actor('provider_member', 'org-de-brug'), submission)).toBe('none')
    expect(permissionOn(actor('provider_member', OWNER), submission)).toBe('read')
    // No closing time: open whatever the clock says.
    expect(permissionOn(drafter, { ...doc('principles'), closesAt: null, asOf: new Date('2100-01-01T00:00:00Z') })).toBe('edit')
    // The deadline is the state the policy decides on; comments follow it too.
    const comment = { type: 'comment' as const, authorId: 'someone', moderation: 'visible' as const, document: asOf('2026-12-02T12:00:00.000Z') }
    expect(can(panel, 'reply', comment)).toBe(false)
    expect(can(panel, 'reply', { ...comment, document: asOf('2026-12-02T11:00:00.000Z') })).toBe(true)
  })

  it('counts a document with a closing time as closed when the moment of asking is missing or the time unreadable', () => {
    const drafter = actor('civil_servant')
    expect(isClosed({ closesAt: '2100-01-01T00:00:00.000Z' })).toBe(true)
    expect(permissionOn(drafter, { ...doc('proposal'), closesAt: '2100-01-01T00:00:00.000Z' })).toBe('read')
    expect(permissionOn(drafter, { ...doc('proposal'), closesAt: 'morgen', asOf: new Date('2026-01-01T00:00:00Z') })).toBe('read')
    expect(isClosed({})).toBe(false)
    expect(isClosed({ closesAt: null })).toBe(false)
  })

  it('gives nothing to people outside the region or not logged in', () => {
    for (const kind of documentKinds) {
      expect(permissionOn(actor('region_admin', 'x', 'region-b'), doc(kind))).toBe('none')
      expect(permissionOn(null, doc(kind))).toBe('none')
    }
  })

  it('derives read/comment/edit from the level, and create/lock from the role', () => {
    const panel = actor('panel_member')
    expect(can(panel, 'read', doc('principles'))).toBe(true)
    expect(can(panel, 'comment', doc('principles'))).toBe(true)
    expect(can(panel, 'edit', doc('principles'))).toBe(false)
    expect(can(panel, 'comment', doc('proposal'))).toBe(false)
    expect(can(actor('civil_servant'), 'create', doc('proposal'))).toBe(true)
    expect(can(actor('provider_member', OWNER), 'create', doc('principles'))).toBe(false)
    expect(can(actor('civil_servant'), 'lock', doc('minutes'))).toBe(true)
    expect(can(actor('alderman'), 'lock', doc('minutes'))).toBe(false)
    expect(can(actor('region_admin'), 'lock', doc('submission'))).toBe(false)
    expect(can(actor('region_admin'), 'delete' as never, doc('minutes'))).toBe(false)
    expect(can(actor('alderman'), 'adopt', doc('principles'))).toBe(true)
    expect(can(actor('civil_servant'), 'adopt', doc('principles'))).toBe(false)
    expect(can(actor('alderman'), 'adopt', doc('submission'))).toBe(false)
    expect(documentActions).toEqual(['read', 'comment', 'edit', 'create', 'lock', 'adopt'])
  })
})
