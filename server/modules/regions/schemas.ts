import { z } from 'zod'
import { organisationKinds, roles } from '../../../db/schema'
import { refusals, type CommonReason, type Refusals } from '../../lib/result'
import { text } from '../accounts/schemas'

/** The region administrator's forms (messages are i18n keys) and the reasons region commands refuse. */
const id = z.string().min(1).max(64)

export const municipalitySchema = z.object({
  id: z.string().max(64).optional(),
  name: text(100),
  subregion: z.string().trim().max(100, 'error.tooLong|100').default(''),
})

export const organisationSchema = z.object({
  id: z.string().max(64).optional(),
  name: text(150),
  kind: z.enum(organisationKinds, { error: 'error.choice' }),
})

export const roleChangeSchema = z.object({ intent: z.literal('role'), membershipId: id, role: z.enum(roles, { error: 'error.choice' }) })
export const removeMembershipSchema = z.object({ intent: z.literal('remove'), membershipId: id })
export const memberAction = z.discriminatedUnion('intent', [roleChangeSchema, removeMembershipSchema])

export const settingsSchema = z.object({ providersMayDraft: z.literal('on').optional() })

export type RegionRefusal = 'forbidden' | 'not_found' | 'duplicate_name' | 'role_does_not_fit' | 'last_admin' | 'members_do_not_fit'

export const regionRefusals = {
  duplicate_name: refusals.conflict('error.duplicate', 'name'),
  role_does_not_fit: refusals.value('form', 'admin.roleDoesNotFit'),
  // An invariant of the data, not a permission: a region always keeps an administrator.
  last_admin: refusals.conflict('admin.lastAdmin'),
  members_do_not_fit: refusals.conflict('admin.kindDoesNotFitMembers', 'kind'),
} as const satisfies Refusals<Exclude<RegionRefusal, CommonReason>>
