import { z } from 'zod'
import { roles } from '../../../db/schema'
import { refusals, type CommonReason, type Refusals } from '../../lib/result'
import { passwordRules } from '../../auth/password'

/** Form schemas. Messages are i18n keys; the forms show them next to their fields. */
export const text = (max: number) =>
  z
    .string({ error: 'error.required' })
    .trim()
    .min(1, 'error.required')
    .max(max, `error.tooLong|${max}`)

export const emailField = z
  .string({ error: 'error.required' })
  .trim()
  .min(1, 'error.required')
  .max(254, 'error.tooLong|254')
  .pipe(z.email('error.email'))
  .transform((e) => e.toLowerCase())

export const newPasswordField = z
  .string({ error: 'error.required' })
  .min(passwordRules.min, 'error.passwordShort')
  .max(passwordRules.max, 'error.passwordLong')

export const loginSchema = z.object({
  email: emailField,
  password: z.string({ error: 'error.required' }).min(1, 'error.required').max(passwordRules.max, 'error.passwordLong'),
  terug: z.string().optional(),
})

export const acceptInvitationSchema = z.object({ name: text(100), password: newPasswordField })

export const nameSchema = z.object({ intent: z.literal('name'), name: text(100) })
export const passwordChangeSchema = z.object({
  intent: z.literal('password'),
  current: z.string({ error: 'error.required' }).min(1, 'error.required').max(passwordRules.max, 'error.passwordLong'),
  next: newPasswordField,
})

export const invitationSchema = z.object({
  intent: z.literal('invite'),
  email: emailField,
  organisationId: z.string({ error: 'error.choice' }).min(1, 'error.choice').max(64),
  role: z.enum(roles, { error: 'error.choice' }),
})

export const revokeInvitationSchema = z.object({ intent: z.literal('revoke'), id: z.string().min(1).max(64) })
export const invitationAction = z.discriminatedUnion('intent', [invitationSchema, revokeInvitationSchema])

export const elsewhereSchema = z.object({ intent: z.literal('elsewhere') })
export const profileAction = z.discriminatedUnion('intent', [nameSchema, passwordChangeSchema, elsewhereSchema])

/** The reasons the account commands refuse, and how each is shown (ADR 0017). */
export type AccountRefusal =
  | 'not_found'
  | 'organisation_not_found'
  | 'role_does_not_fit'
  | 'already_invited'
  | 'not_open'
  | 'login_required'
  | 'wrong_account'
  | 'account_exists'
  | 'not_safe'
  | 'taken'
  | 'no_password'
  | 'wrong_password'

export const accountRefusals = {
  organisation_not_found: refusals.choice('organisationId'),
  role_does_not_fit: refusals.value('role', 'admin.roleDoesNotFit'),
  already_invited: refusals.conflict('admin.alreadyInvited', 'email'),
  not_open: refusals.gone('invite.used'),
  login_required: refusals.notYours('invite.loginToAccept'),
  wrong_account: refusals.notYours('invite.wrongAccount'),
  account_exists: refusals.gone('invite.used'),
  not_safe: refusals.value('name', 'error.nameNotSafe'),
  taken: refusals.value('name', 'error.nameTaken'),
  no_password: refusals.value('current', 'profile.wrongPassword'),
  wrong_password: refusals.value('current', 'profile.wrongPassword'),
} as const satisfies Refusals<Exclude<AccountRefusal, CommonReason>>
