import { z } from 'zod'
import { refusals, type Refusals } from '../../lib/result'

/** The panel coordinator's forms (messages are i18n keys) and the reasons the panel commands refuse. */
const id = z.string().min(1).max(64)

export const panelIssueSchema = z.object({
  intent: z.literal('issue'),
  organisationId: z.string({ error: 'error.choice' }).min(1, 'error.choice').max(64),
  under16: z.literal('on').optional(),
})
export const consentSchema = z.object({
  intent: z.literal('consent'),
  userId: id,
  givenBy: z.string({ error: 'error.required' }).trim().min(1, 'error.required').max(80, 'error.tooLong|80'),
})
export const withdrawSchema = z.object({ intent: z.literal('withdraw'), userId: id })
export const reentrySchema = z.object({ intent: z.literal('reentry'), userId: id })
export const revokeCodeSchema = z.object({ intent: z.literal('revoke'), codeId: id })

export const panelAction = z.discriminatedUnion('intent', [panelIssueSchema, consentSchema, withdrawSchema, reentrySchema, revokeCodeSchema])
export type PanelAction = z.infer<typeof panelAction>

export const panelCodeSchema = z.object({
  code: z.string({ error: 'error.required' }).trim().min(1, 'error.required').max(40, 'error.tooLong|40'),
  displayName: z.string().trim().max(40, 'error.tooLong|40').optional(),
})

export type PanelRefusal =
  | 'not_a_panel'
  | 'not_panel_only'
  | 'not_under_16'
  | 'already_consented'
  | 'no_consent'
  | 'code_used'
  | 'code_revoked'
  | 'invalid_code'
  | 'name_required'
  | 'name_not_safe'
  | 'name_taken'

export const panelRefusals = {
  not_a_panel: refusals.choice('organisationId'),
  not_panel_only: refusals.conflict('panels.notPanelOnly'),
  not_under_16: refusals.conflict('error.choice'),
  already_consented: refusals.conflict('error.choice'),
  no_consent: refusals.missing(),
  code_used: refusals.conflict('panels.codeAlreadyUsed'),
  code_revoked: refusals.conflict('panels.codeAlreadyRevoked'),
  invalid_code: refusals.value('code', 'panel.invalid'),
  name_required: refusals.value('displayName', 'error.required'),
  name_not_safe: refusals.value('displayName', 'error.nameNotSafe'),
  name_taken: refusals.value('displayName', 'error.nameTaken'),
} as const satisfies Refusals<PanelRefusal>
