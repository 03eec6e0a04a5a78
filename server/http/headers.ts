import type { RequestHandler } from 'express'
import { SESSION_COOKIE } from '../auth/session'

/**
 * Response headers helmet does not set.
 *
 * Permissions-Policy: the portal uses no camera, microphone, location or other device; denying them
 * means a script that slips through (or an embedded editor plug-in) cannot ask for them either.
 * Only features Chromium knows are listed: an unknown one (ambient-light-sensor, bluetooth) is a
 * console warning on every page.
 */
export const PERMISSIONS_POLICY = [
  'accelerometer',
  'autoplay',
  'browsing-topics',
  'camera',
  'display-capture',
  'geolocation',
  'gyroscope',
  'hid',
  'magnetometer',
  'microphone',
  'midi',
  'payment',
  'publickey-credentials-get',
  'screen-wake-lock',
  'serial',
  'usb',
  'xr-spatial-tracking',
]
  .map((feature) => `${feature}=()`)
  .join(', ')

const sessionCookie = new RegExp(`(?:^|;)\\s*${SESSION_COOKIE}=`)

/** True when the request carries a session cookie, i.e. the answer may be about one person. */
export function hasSessionCookie(cookieHeader: string | undefined): boolean {
  return Boolean(cookieHeader && sessionCookie.test(cookieHeader))
}

/** Permissions-Policy on every response, assets and errors included. */
export function permissionsPolicy(): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('Permissions-Policy', PERMISSIONS_POLICY)
    next()
  }
}

/**
 * `Cache-Control: no-store` on every answer to a request with a session cookie: pages for a
 * logged-in person (comments, notifications, region data) must not stay in a shared computer's
 * browser cache or in a proxy after logging out. Mounted after the static files, which are the same
 * for everyone and keep their own caching. The cookie's presence decides, not its validity, so no
 * database lookup is needed here; an expired cookie costs at most an uncached login page.
 */
export function noStoreForSessions(): RequestHandler {
  return (req, res, next) => {
    if (hasSessionCookie(req.headers.cookie)) res.setHeader('Cache-Control', 'no-store')
    next()
  }
}
