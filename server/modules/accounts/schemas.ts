import { z } from 'zod'
import { organisationKinds, roles } from '../../../db/schema'
import { passwordRules } from '../../auth/password'

/** Form schemas. Messages are i18n keys; the forms show them next to their fields. */
const text = (max: number) =>
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

export const panelCodeSchema = z.object({
  code: text(40),
  displayName: z.string().trim().max(40, 'error.tooLong|40').optional(),
})

export const acceptInvitationSchema = z.object({ name: text(100), password: newPasswordField })

export const nameSchema = z.object({ intent: z.literal('name'), name: text(100) })
export const passwordChangeSchema = z.object({
  intent: z.literal('password'),
  current: z.string({ error: 'error.required' }).min(1, 'error.required').max(passwordRules.max, 'error.passwordLong'),
  next: newPasswordField,
})

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

export const invitationSchema = z.object({
  intent: z.literal('invite'),
  email: emailField,
  organisationId: z.string({ error: 'error.choice' }).min(1, 'error.choice').max(64),
  role: z.enum(roles, { error: 'error.choice' }),
})

export const roleChangeSchema = z.object({
  intent: z.literal('role'),
  membershipId: z.string().min(1).max(64),
  role: z.enum(roles, { error: 'error.choice' }),
})

export const panelIssueSchema = z.object({
  intent: z.literal('issue'),
  organisationId: z.string({ error: 'error.choice' }).min(1, 'error.choice').max(64),
  under16: z.literal('on').optional(),
})

export const consentSchema = z.object({
  intent: z.literal('consent'),
  userId: z.string().min(1).max(64),
  givenBy: text(80),
})
