import { FormFieldDescription, FormFieldErrorMessage } from '@utrecht/component-library-react'
import { useErrorText, useT } from '../i18n/use'

/**
 * A choice of safe display names for members under 16 (ADR 0012): radio buttons in a fieldset,
 * never a text field. The server checks the chosen name again; "other names" asks for new ones.
 */
export function NameChoice({ name, choices, current, error, idPrefix = 'f' }: { name: string; choices: string[]; current?: string; error?: string; idPrefix?: string }) {
  const t = useT()
  const errorText = useErrorText()(error)
  const id = `${idPrefix}-${name}`
  const options = current && !choices.includes(current) ? [current, ...choices] : choices
  const describedBy = [`${id}-hint`, errorText ? `${id}-error` : null].filter(Boolean).join(' ')
  return (
    <fieldset className="field name-choice" aria-describedby={describedBy} aria-invalid={errorText ? true : undefined}>
      <legend className="utrecht-form-label">{t('names.legend')}</legend>
      <FormFieldDescription id={`${id}-hint`}>{t('names.hint')}</FormFieldDescription>
      {errorText ? <FormFieldErrorMessage id={`${id}-error`}>{errorText}</FormFieldErrorMessage> : null}
      {options.map((option, i) => (
        <div key={option} className="field field--checkbox">
          <input
            id={`${id}-${i}`}
            type="radio"
            name={name}
            value={option}
            required
            defaultChecked={option === current}
            className="utrecht-radio-button utrecht-radio-button--html-input"
          />
          <label htmlFor={`${id}-${i}`} className="utrecht-form-label utrecht-form-label--radio">
            {option === current ? t('names.current', { name: option }) : option}
          </label>
        </div>
      ))}
    </fieldset>
  )
}
