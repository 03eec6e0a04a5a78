import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { requireAbility } from '../../server/auth/guards'
import { invalid, parseForm, refusal } from '../../server/lib/forms'
import { issuePanelCode, issueReentryCode, recordConsent, revokePanelCode, withdrawConsent } from '../../server/modules/panels/commands'
import { listIssuedCodes, listPanelMembers, listPanels } from '../../server/modules/panels/queries'
import { panelAction, panelRefusals, type PanelAction, type PanelRefusal } from '../../server/modules/panels/schemas'
import type { CommonReason, Result } from '../../server/lib/result'
import { actionReply, CheckboxField, ErrorSummary, Notice, SelectField, SubmitButton, TextField } from '../components/forms'
import { IssuedCodes } from '../components/IssuedCodes'
import { RowAction } from '../components/RowAction'
import { useFormat, useT } from '../i18n/use'

/** The panel coordinator's page: issue and revoke codes, see members by display name, record or withdraw consent. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { region } = await requireAbility(request, context, params.region, 'panelAccess', 'manage')
  const [panels, members, codes] = await Promise.all([
    listPanels(context.db, region.id),
    listPanelMembers(context.db, region.id),
    listIssuedCodes(context.db, region.id, context.clock()),
  ])
  return { panels, members, codes }
}

type Reply = { ok: true; code?: string; expiresAt?: string; message?: 'panels.consentRecorded' | 'panels.consentWithdrawn' | 'panels.codeRevoked' }
const messages = { consent: 'panels.consentRecorded', withdraw: 'panels.consentWithdrawn', revoke: 'panels.codeRevoked' } as const

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { auth, region } = await requireAbility(request, context, params.region, 'panelAccess', 'manage')
  const parsed = await parseForm(request, panelAction)
  if (!parsed.ok) return invalid(parsed.errors, parsed.values)
  const by = { regionId: region.id, actorId: auth.user.id, now: context.clock() }
  const run = (input: PanelAction): Promise<Result<{ code?: string; expiresAt?: string }, PanelRefusal | CommonReason>> => {
    switch (input.intent) {
      case 'issue':
        return issuePanelCode(context.db, { ...by, organisationId: input.organisationId, under16: input.under16 === 'on' })
      case 'reentry':
        return issueReentryCode(context.db, { ...by, userId: input.userId })
      case 'consent':
        return recordConsent(context.db, { ...by, userId: input.userId, givenBy: input.givenBy })
      case 'withdraw':
        return withdrawConsent(context.db, { ...by, userId: input.userId }, context.collab)
      case 'revoke':
        return revokePanelCode(context.db, { actor: auth.actor, regionId: region.id, codeId: input.codeId, now: by.now })
    }
  }
  const result = await run(parsed.data)
  if (!result.ok) return refusal(result, panelRefusals)
  if (result.code) return data({ ok: true, code: result.code, expiresAt: result.expiresAt } satisfies Reply)
  return data({ ok: true, message: messages[parsed.data.intent as keyof typeof messages] } satisfies Reply)
}

export default function Panels() {
  const { panels, members, codes } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const t = useT()
  const fmt = useFormat()
  const { errors, done: ok } = actionReply<Reply>(result)
  return (
    <div className="content">
      <Heading level={1}>{t('panels.title')}</Heading>
      <Paragraph>{t('panels.intro')}</Paragraph>
      {ok?.code ? (
        <Notice>
          <Paragraph>{t('panels.codeCreated', { date: fmt.dateTime(ok.expiresAt!) })}</Paragraph>
          <Paragraph>
            <strong className="access-code" data-testid="panel-code">{ok.code}</strong>
          </Paragraph>
        </Notice>
      ) : null}
      {ok?.message ? <Notice>{t(ok.message)}</Notice> : null}
      <ErrorSummary errors={errors} fields={[{ name: 'organisationId', label: t('panels.panel') }]} />
      <section aria-labelledby="issue-code">
        <Heading level={2} id="issue-code">
          {t('panels.issue')}
        </Heading>
        <Form method="post" noValidate className="form form--inline">
          <input type="hidden" name="intent" value="issue" />
          <SelectField name="organisationId" label={t('panels.panel')} error={errors?.organisationId} options={panels.map((p) => ({ value: p.id, label: p.name }))} />
          <CheckboxField name="under16" label={t('panels.under16')} />
          <SubmitButton>{t('panels.issue')}</SubmitButton>
        </Form>
      </section>
      <section aria-labelledby="members">
        <Heading level={2} id="members">
          {t('panels.members')} ({members.length})
        </Heading>
        {members.length === 0 ? <Paragraph>{t('panels.noMembers')}</Paragraph> : null}
        <ul className="member-list">
          {members.map((m) => (
            <li key={m.user_id} className="card">
              <Heading level={3}>
                {m.name} <span className="muted">· {m.organisation_name}</span>
              </Heading>
              <Paragraph>
                {t('panels.consent')}:{' '}
                {!m.under_16
                  ? t('panels.notNeeded')
                  : m.consent
                    ? t('panels.consentGiven', {
                        givenBy: m.consent.given_by,
                        recorder: m.consent.recorded_by_name ?? '',
                        date: fmt.dateTime(m.consent.recorded_at),
                      })
                    : t('panels.consentNeeded')}
              </Paragraph>
              <div className="actions">
                {m.under_16 && !m.consent ? (
                  <Form method="post" noValidate className="form form--inline">
                    <input type="hidden" name="intent" value="consent" />
                    <input type="hidden" name="userId" value={m.user_id} />
                    <TextField name="givenBy" idPrefix={`c-${m.user_id}`} label={t('panels.givenBy')} hint={t('panels.givenByHint')} required maxLength={80} />
                    <SubmitButton>{t('panels.recordConsent')}</SubmitButton>
                  </Form>
                ) : null}
                {m.under_16 && m.consent ? (
                  <RowAction intent="withdraw" field="userId" id={m.user_id} look="secondary">
                    {t('panels.withdrawConsent')}
                  </RowAction>
                ) : null}
                {m.signsInWithCode ? (
                  <RowAction intent="reentry" field="userId" id={m.user_id} look="secondary">
                    {t('panels.reentry')}
                  </RowAction>
                ) : null}
              </div>
            </li>
          ))}
        </ul>
      </section>
      <IssuedCodes codes={codes} revoked={ok?.message === 'panels.codeRevoked' ? ok : undefined} />
    </div>
  )
}
