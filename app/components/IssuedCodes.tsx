import { useEffect, useRef } from 'react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import type { CodeState } from '../../server/modules/panels/codes'
import { DataTable } from './DataTable'
import { RowAction } from './RowAction'
import type { MessageKey } from '../i18n/messages'
import { useFormat, useT } from '../i18n/use'

export interface IssuedCode {
  id: string
  panel_name: string
  member_name: string | null
  under16: boolean
  issued_by: string | null
  created_at: string
  expires_at: string
  used_at: string | null
  revoked_at: string | null
  state: CodeState
}

/**
 * The panel codes a region issued: who for, under 16 or not, issued, expires, used or revoked.
 * Never the code itself (only its hash is kept). An open code can be revoked.
 */
export function IssuedCodes({ codes, revoked }: { codes: IssuedCode[]; revoked?: object }) {
  const t = useT()
  const fmt = useFormat()
  // After a revoke its button is gone: focus goes to the list's heading instead of falling to the page.
  const heading = useRef<HTMLHeadingElement>(null)
  useEffect(() => {
    if (revoked) heading.current?.focus()
  }, [revoked])
  const whoFor = (c: IssuedCode) => c.member_name ?? t('panels.codeNewMember')
  return (
    <section aria-labelledby="issued-codes">
      <Heading level={2} id="issued-codes" ref={heading} tabIndex={-1}>
        {t('panels.codes')} ({codes.length})
      </Heading>
      <Paragraph>{t('panels.codesIntro')}</Paragraph>
      <DataTable
        caption={t('panels.codes')}
        captionHidden
        rows={codes}
        rowKey={(c) => c.id}
        rowProps={() => ({ 'data-testid': 'issued-code' })}
        columns={[
          { header: t('panels.codeFor'), className: 'cell--name', cell: (c) => `${whoFor(c)} · ${c.panel_name}` },
          { header: t('panels.under16Short'), cell: (c) => (c.under16 ? t('panels.yes') : t('panels.no')) },
          { header: t('panels.codeIssued'), cell: (c) => `${fmt.dateTime(c.created_at)}${c.issued_by ? ` · ${c.issued_by}` : ''}` },
          { header: t('admin.expires'), cell: (c) => fmt.dateTime(c.expires_at) },
          {
            header: t('admin.status'),
            cell: (c) => (
              <span className={`status status--${c.state}`}>
                {t(`panels.codeState.${c.state}` as MessageKey)}
                {c.used_at ? ` · ${fmt.dateTime(c.used_at)}` : c.revoked_at ? ` · ${fmt.dateTime(c.revoked_at)}` : ''}
              </span>
            ),
          },
          {
            header: t('admin.actions'),
            cell: (c) =>
              c.state === 'open' ? (
                <RowAction intent="revoke" field="codeId" id={c.id} label={t('panels.revokeCodeFor', { name: whoFor(c), date: fmt.dateTime(c.created_at) })}>
                  {t('admin.revoke')}
                </RowAction>
              ) : null,
          },
        ]}
      />
    </section>
  )
}
