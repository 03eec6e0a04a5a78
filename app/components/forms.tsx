import { useEffect, useRef, type MouseEvent, type ReactNode } from 'react'
import { FormField, FormFieldDescription, FormFieldErrorMessage, FormLabel, Paragraph } from '@utrecht/component-library-react'
import { useErrorText, useT } from '../i18n/use'

/**
 * Form fields with the label, hint and error wired together (aria-describedby, aria-invalid),
 * so screen readers announce the error with the field.
 */
interface FieldProps {
  name: string
  label: string
  hint?: string
  error?: string
  defaultValue?: string
  type?: 'text' | 'email' | 'password' | 'date'
  autoComplete?: string
  /** the latest date a date field takes (YYYY-MM-DD) */
  max?: string
  required?: boolean
  maxLength?: number
  idPrefix?: string
}

/** Label, hint and error around one control; gives the control the ids that tie them together. */
function FieldShell({
  id,
  label,
  hint,
  errorText,
  children,
}: {
  id: string
  label: string
  hint?: string
  errorText?: string
  children: (aria: { 'aria-invalid'?: true; 'aria-describedby'?: string }) => ReactNode
}) {
  const describedBy = [hint ? `${id}-hint` : null, errorText ? `${id}-error` : null].filter(Boolean).join(' ') || undefined
  return (
    <FormField type="text" invalid={Boolean(errorText)} className="field">
      <div className="utrecht-form-field__label">
        <FormLabel htmlFor={id}>{label}</FormLabel>
      </div>
      {hint ? <FormFieldDescription id={`${id}-hint`}>{hint}</FormFieldDescription> : null}
      {errorText ? <FormFieldErrorMessage id={`${id}-error`}>{errorText}</FormFieldErrorMessage> : null}
      <div className="utrecht-form-field__input">{children({ 'aria-invalid': errorText ? true : undefined, 'aria-describedby': describedBy })}</div>
    </FormField>
  )
}

/** The id a field's control gets, so an error summary can link to it. */
/**
 * What a page shows of its action's reply: after a refusal the errors per field and the values to
 * refill; after success the reply itself, as the action declared it (`Ok`).
 */
export function actionReply<Ok extends object = object>(result: { ok: boolean } | undefined): {
  done?: Ok
  errors?: Record<string, string>
  values?: Record<string, string>
} {
  if (!result) return {}
  if (result.ok) return { done: result as unknown as Ok }
  const { errors, values } = result as { errors?: Record<string, string>; values?: Record<string, string> }
  return { errors, values }
}

export const fieldId = (name: string, idPrefix = 'f') => `${idPrefix}-${name}`

export function TextField({ name, label, hint, error, defaultValue, type = 'text', autoComplete, required, maxLength, max, idPrefix = 'f' }: FieldProps) {
  const errorText = useErrorText()(error)
  const id = fieldId(name, idPrefix)
  return (
    <FieldShell id={id} label={label} hint={hint} errorText={errorText}>
      {(aria) => (
        <input
          id={id}
          name={name}
          type={type}
          className={`utrecht-textbox utrecht-textbox--html-input${errorText ? ' utrecht-textbox--invalid' : ''}`}
          defaultValue={defaultValue}
          autoComplete={autoComplete}
          required={required}
          aria-required={required || undefined}
          maxLength={maxLength}
          max={max}
          {...aria}
        />
      )}
    </FieldShell>
  )
}

export function SelectField({
  name,
  label,
  error,
  defaultValue,
  options,
  idPrefix = 'f',
  hint,
  onChange,
}: {
  name: string
  label: string
  error?: string
  defaultValue?: string
  options: Array<{ value: string; label: string }>
  idPrefix?: string
  hint?: string
  /** told the chosen value, e.g. to offer the options of another field that depend on it */
  onChange?: (value: string) => void
}) {
  const errorText = useErrorText()(error)
  const id = fieldId(name, idPrefix)
  return (
    <FieldShell id={id} label={label} hint={hint} errorText={errorText}>
      {(aria) => (
        <select
          id={id}
          name={name}
          className={`utrecht-select utrecht-select--html-select${errorText ? ' utrecht-select--invalid' : ''}`}
          defaultValue={defaultValue}
          onChange={onChange ? (e) => onChange(e.currentTarget.value) : undefined}
          {...aria}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </FieldShell>
  )
}

export function CheckboxField({ name, label, defaultChecked, idPrefix = 'f' }: { name: string; label: string; defaultChecked?: boolean; idPrefix?: string }) {
  const id = `${idPrefix}-${name}`
  return (
    <div className="field field--checkbox">
      <input id={id} name={name} type="checkbox" className="utrecht-checkbox utrecht-checkbox--html-input" defaultChecked={defaultChecked} />
      <label htmlFor={id} className="utrecht-form-label utrecht-form-label--checkbox">
        {label}
      </label>
    </div>
  )
}

/** A link to a field moves focus into it (a fragment link alone only scrolls), as GOV.UK's summary does. */
function toField(event: MouseEvent<HTMLAnchorElement>) {
  const target = document.getElementById(event.currentTarget.hash.slice(1))
  if (!target) return
  event.preventDefault()
  target.focus()
  target.scrollIntoView({ block: 'center' })
}

/**
 * Shown above a form that came back with errors; role="alert" announces it. Given the form's
 * `fields`, it lists each error as a link to its field (the GOV.UK error summary), and with
 * `focus` it takes focus when new errors arrive, so a keyboard user starts from the list.
 */
export function ErrorSummary({
  errors,
  fields,
  focus,
}: {
  errors?: Record<string, string>
  fields?: Array<{ name: string; label: string; idPrefix?: string }>
  focus?: boolean
}) {
  const t = useT()
  const errorText = useErrorText()
  const ref = useRef<HTMLDivElement>(null)
  const shown = Boolean(errors && Object.keys(errors).length > 0)
  // Keyed on the content, not the object: a page that builds `errors` anew on every render would
  // otherwise pull focus back here on each render.
  const key = shown ? JSON.stringify(errors) : ''
  useEffect(() => {
    if (focus && key) ref.current?.focus()
  }, [focus, key])
  if (!errors || !shown) return null
  const linked = (fields ?? []).filter((f) => errors[f.name])
  // A refusal of the whole form ('form': forbidden, gone, a conflict) is said here, below the
  // summary line; so is an error on a value that has no field on the page (a hidden paging position,
  // an intent), where the page names its fields. Nothing refused is left unsaid.
  const unlinked = fields ? Object.keys(errors).filter((k) => k !== 'form' && !linked.some((f) => f.name === k)) : []
  return (
    <div className="utrecht-alert utrecht-alert--error error-summary" role="alert" ref={ref} tabIndex={focus ? -1 : undefined}>
      <Paragraph>{t('error.formSummary')}</Paragraph>
      {errors.form ? <Paragraph>{errorText(errors.form)}</Paragraph> : null}
      {linked.length + unlinked.length > 0 ? (
        <ul className="error-summary__list">
          {linked.map((f) => (
            <li key={f.name}>
              <a href={`#${fieldId(f.name, f.idPrefix)}`} onClick={toField}>
                {`${f.label}: ${errorText(errors[f.name]) ?? ''}`}
              </a>
            </li>
          ))}
          {unlinked.map((k) => (
            <li key={k}>{errorText(errors[k])}</li>
          ))}
        </ul>
      ) : null}
    </div>
  )
}

export function Notice({ children, kind = 'ok' }: { children: ReactNode; kind?: 'ok' | 'error' | 'info' }) {
  return (
    <div className={`utrecht-alert utrecht-alert--${kind === 'ok' ? 'ok' : kind === 'error' ? 'error' : 'info'}`} role={kind === 'error' ? 'alert' : 'status'}>
      <div className="utrecht-alert__message">{children}</div>
    </div>
  )
}

export function SubmitButton({ children, secondary, name, value }: { children: ReactNode; secondary?: boolean; name?: string; value?: string }) {
  return (
    <button
      type="submit"
      name={name}
      value={value}
      className={`utrecht-button ${secondary ? 'utrecht-button--secondary-action' : 'utrecht-button--primary-action'}`}
    >
      {children}
    </button>
  )
}
