import { describe, expect, it } from 'vitest'
import { accountRefusals } from '../modules/accounts/schemas'
import { regionRefusals } from '../modules/regions/schemas'
import { refusal } from './forms'
import { refuse, type Refusals } from './result'

/** What `refusal()` replies: the status and the message at the field, from the table or the common reasons. */
function reply(result: ReturnType<typeof refusal>) {
  return { status: result.init?.status, errors: (result.data as { errors: Record<string, string> }).errors }
}

describe('refusal', () => {
  it('shows a module reason with its status at its field', () => {
    expect(reply(refusal(refuse('already_invited'), accountRefusals))).toEqual({ status: 409, errors: { email: 'admin.alreadyInvited' } })
    expect(reply(refusal(refuse('organisation_not_found'), accountRefusals))).toEqual({ status: 400, errors: { organisationId: 'error.choice' } })
    expect(reply(refusal(refuse('not_open'), accountRefusals))).toEqual({ status: 410, errors: { form: 'invite.used' } })
  })

  it('shows forbidden and not_found the same for every module, though no table lists them', () => {
    const tables: Partial<Refusals<string>>[] = [accountRefusals, regionRefusals]
    for (const table of tables) {
      expect(reply(refusal(refuse('forbidden'), table))).toEqual({ status: 403, errors: { form: 'error.forbidden' } })
      expect(reply(refusal(refuse('not_found'), table))).toEqual({ status: 404, errors: { form: 'error.missing' } })
    }
  })

  it('throws for a reason nobody wrote down, rather than answering something', () => {
    const table: Partial<Refusals<string>> = regionRefusals
    expect(() => refusal(refuse('no_such_reason'), table)).toThrow(/no_such_reason/)
  })
})
