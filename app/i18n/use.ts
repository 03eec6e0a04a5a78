import { useRouteLoaderData } from '@remix-run/react'
import { useCallback } from 'react'
import { formatDateTime, formatNumber, isMessageKey, translate, type Locale, type MessageKey } from './messages'

export function useLocale(): Locale {
  const data = useRouteLoaderData('root') as { locale?: Locale } | undefined
  return data?.locale ?? 'nl'
}

export function useT() {
  const locale = useLocale()
  return useCallback(
    (key: MessageKey, vars?: Record<string, string | number>) => translate(locale, key, vars),
    [locale],
  )
}

/** Translates a server error code such as `error.tooLong|120`. */
export function useErrorText() {
  const locale = useLocale()
  return useCallback(
    (code: string | undefined) => {
      if (!code) return undefined
      const [key, max] = code.split('|')
      return isMessageKey(key!) ? translate(locale, key, max ? { max } : undefined) : translate(locale, 'error.required')
    },
    [locale],
  )
}

export function useFormat() {
  const locale = useLocale()
  return {
    dateTime: (iso: string) => formatDateTime(locale, iso),
    /** a calendar date (YYYY-MM-DD) as it is written in the chosen language */
    date: (ymd: string) =>
      new Intl.DateTimeFormat(locale === 'nl' ? 'nl-NL' : 'en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${ymd}T00:00:00Z`)),
    number: (n: number) => formatNumber(locale, n),
  }
}
