import { Form } from '@remix-run/react'
import type { ReactNode } from 'react'

/**
 * One button that posts an intent about one row (revoke this invitation, remove this member,
 * withdraw this consent): a small form with the intent and the row's id as hidden fields. `label`
 * names the row for screen readers when the visible text alone ("Intrekken") would not.
 */
export function RowAction({
  intent,
  field,
  id,
  children,
  label,
  look = 'subtle',
}: {
  intent: string
  /** the name of the id field the action's schema expects */
  field: string
  id: string
  children: ReactNode
  label?: string
  look?: 'subtle' | 'secondary'
}) {
  return (
    <Form method="post">
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name={field} value={id} />
      <button type="submit" className={`utrecht-button utrecht-button--${look === 'subtle' ? 'subtle' : 'secondary-action'}`} aria-label={label}>
        {children}
      </button>
    </Form>
  )
}
