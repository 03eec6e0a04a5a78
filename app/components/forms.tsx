import type { ReactNode } from 'react'
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
  type?: 'text' | 'email' | 'password'
  autoComplete?: string
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

export function TextField({ name, label, hint, error, defaultValue, type = 'text', autoComplete, required, maxLength, idPrefix = 'f' }: FieldProps) {
  const errorText = useErrorText()(error)
  const id = `${idPrefix}-${name}`
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
}: {
  name: string
  label: string
  error?: string
  defaultValue?: string
  options: Array<{ value: string; label: string }>
  idPrefix?: string
  hint?: string
}) {
  const errorText = useErrorText()(error)
  const id = `${idPrefix}-${name}`
  return (
    <FieldShell id={id} label={label} hint={hint} errorText={errorText}>
      {(aria) => (
        <select
          id={id}
          name={name}
          className={`utrecht-select utrecht-select--html-select${errorText ? ' utrecht-select--invalid' : ''}`}
          defaultValue={defaultValue}
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

/** Shown above a form that came back with errors; it takes focus so the user hears it. */
export function ErrorSummary({ errors }: { errors?: Record<string, string> }) {
  const t = useT()
  if (!errors || Object.keys(errors).length === 0) return null
  return (
    <div className="utrecht-alert utrecht-alert--error" role="alert">
      <Paragraph>{t('error.formSummary')}</Paragraph>
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
