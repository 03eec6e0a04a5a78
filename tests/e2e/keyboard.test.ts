import { expect, it } from 'vitest'
import type { Locator, Page } from 'playwright-core'
import { DEMO_PASSWORD, hydrated, REGION } from '../support/browser'
import { e2eSuite } from '../support/portal'

/** What the focused element is, as the keyboard user meets it. */
interface Focused {
  tag: string
  id: string
  text: string
  inRegionMenu: boolean
  focusVisible: boolean
  outline: string
  boxShadow: string
}

function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null
    if (!el) return { tag: '', id: '', text: '', inRegionMenu: false, focusVisible: false, outline: 'none', boxShadow: 'none' }
    const style = getComputedStyle(el)
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      text: (el.innerText ?? '').trim(),
      inRegionMenu: Boolean(el.closest('nav[aria-label="Regiomenu"]')),
      focusVisible: el.matches(':focus-visible'),
      outline: style.outlineStyle === 'none' || style.outlineWidth === '0px' ? 'none' : `${style.outlineWidth} ${style.outlineStyle} ${style.outlineColor}`,
      boxShadow: style.boxShadow,
    }
  })
}

/** The outline and box-shadow of an element while it does not have focus. */
function restingStyle(locator: Locator) {
  return locator.evaluate((el) => {
    const style = getComputedStyle(el)
    return { outline: style.outlineStyle === 'none' ? 'none' : `${style.outlineWidth} ${style.outlineStyle} ${style.outlineColor}`, boxShadow: style.boxShadow }
  })
}

/** A visible focus indicator: an outline or a box-shadow, shown for keyboard focus, that the element lacks at rest. */
function expectFocusIndicator(f: Focused, resting: { outline: string; boxShadow: string }, what: string) {
  expect(f.focusVisible, `${what} matches :focus-visible`).toBe(true)
  expect(f.outline !== 'none' || f.boxShadow !== 'none', `${what} has an outline or box-shadow when focused`).toBe(true)
  expect({ outline: f.outline, boxShadow: f.boxShadow }, `${what}: focus changes its look`).not.toEqual(resting)
}

/** Presses Tab until the focused element matches, at most `max` times; returns how many presses it took. */
async function tabUntil(page: Page, match: (f: Focused) => boolean, what: string, max = 25): Promise<Focused> {
  const seen: string[] = []
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab')
    const f = await focused(page)
    if (match(f)) return f
    seen.push(`${f.tag}${f.id ? '#' + f.id : ''} "${f.text.slice(0, 30)}"`)
  }
  throw new Error(`${what} not reached with ${max} presses of Tab; focus went through:\n${seen.join('\n')}`)
}

e2eSuite('e2e: keyboard only', (portal) => {
  it('skip link, login form, region choice and the Beheer link, with only Tab, Shift+Tab, Enter and typing', async () => {
    await portal.withPage(undefined, async (page) => {
      await page.goto('/inloggen')
      await hydrated(page)

      // The first Tab reaches the skip link, which then shows on screen.
      const skipLink = page.getByRole('link', { name: 'Naar de inhoud' })
      const skipRest = await restingStyle(skipLink)
      // Until then it is off screen and covers nothing.
      expect((await skipLink.boundingBox())!.y).toBeLessThan(0)
      await page.keyboard.press('Tab')
      const skip = await focused(page)
      expect(skip.text).toBe('Naar de inhoud')
      expect((await skipLink.boundingBox())!.y).toBeGreaterThanOrEqual(0)
      expectFocusIndicator(skip, skipRest, 'the skip link')

      // Enter moves focus to the main content; the next Tab is the first field of the form.
      await page.keyboard.press('Enter')
      await expect.poll(async () => (await focused(page)).id).toBe('inhoud')
      await page.keyboard.press('Tab')
      expect((await focused(page)).id).toBe('f-email')
      await page.keyboard.type('regiocoordinator@samenspel.example')
      await page.keyboard.press('Tab')
      expect((await focused(page)).id).toBe('f-password')
      await page.keyboard.type(DEMO_PASSWORD)

      // Tab to the button, back with Shift+Tab (the password is kept), and forward again.
      const submit = page.getByRole('button', { name: 'Inloggen', exact: true })
      const submitRest = await restingStyle(submit)
      await page.keyboard.press('Tab')
      const button = await focused(page)
      expect(button).toMatchObject({ tag: 'button', text: 'Inloggen' })
      expectFocusIndicator(button, submitRest, 'the login button')
      await page.keyboard.press('Shift+Tab')
      expect((await focused(page)).id).toBe('f-password')
      expect(await page.locator('#f-password').inputValue()).toBe(DEMO_PASSWORD)
      await page.keyboard.press('Tab')
      await page.keyboard.press('Enter')

      // Two regions: choose one from the start page.
      await page.getByRole('heading', { name: 'Kies een regio' }).waitFor()
      await hydrated(page)
      await tabUntil(page, (f) => f.tag === 'a' && f.text === 'IJmond en Zuid-Kennemerland' && !f.inRegionMenu, 'the region tile')
      await page.keyboard.press('Enter')
      await page.waitForURL(`**/regio/${REGION}`)
      await page.getByRole('navigation', { name: 'Regiomenu' }).waitFor()

      // Tab to "Beheer" in the region menu; it shows where focus is; Enter opens it.
      const beheerLink = page.getByRole('navigation', { name: 'Regiomenu' }).getByRole('link', { name: 'Beheer' })
      const beheerRest = await restingStyle(beheerLink)
      const beheer = await tabUntil(page, (f) => f.inRegionMenu && f.text === 'Beheer', 'the Beheer link in the region menu')
      expectFocusIndicator(beheer, beheerRest, 'the Beheer link')
      await page.keyboard.press('Enter')
      await page.waitForURL(`**/regio/${REGION}/beheer/gemeenten`)
      await page.getByRole('heading', { level: 1, name: 'Beheer' }).waitFor()
      expect(await page.getByRole('navigation', { name: 'Beheer' }).getByRole('link', { name: 'Gemeenten' }).getAttribute('aria-current')).toBe('page')
    })
  })

  it('the region switcher and the language button work from the keyboard', async () => {
    await portal.withPage(undefined, async (page) => {
      // Logged in through the form once more, this time submitting with Enter in the password field.
      await page.goto('/inloggen')
      await hydrated(page)
      await tabUntil(page, (f) => f.id === 'f-email', 'the e-mail field')
      await page.keyboard.type('regiocoordinator@samenspel.example')
      await page.keyboard.press('Tab')
      await page.keyboard.type(DEMO_PASSWORD)
      await page.keyboard.press('Enter')
      await page.getByRole('heading', { name: 'Kies een regio' }).waitFor()
      await hydrated(page)

      // The switcher opens with Enter and its links are reachable with Tab.
      await tabUntil(page, (f) => f.tag === 'summary', 'the region switcher')
      await page.keyboard.press('Enter')
      expect(await page.locator('details.region-switcher').getAttribute('open')).not.toBeNull()
      await page.keyboard.press('Tab')
      await page.keyboard.press('Tab')
      expect((await focused(page)).text).toBe('Midden-Limburg')
      await page.keyboard.press('Enter')
      await page.waitForURL('**/regio/midden-limburg')
      await page.getByRole('heading', { level: 1, name: 'Midden-Limburg' }).waitFor()

      // The language button.
      await hydrated(page)
      await tabUntil(page, (f) => f.tag === 'button' && f.text === 'English', 'the language button')
      await page.keyboard.press('Enter')
      await page.getByRole('heading', { level: 2, name: 'What you can do here' }).waitFor()
      expect(new URL(page.url()).pathname).toBe('/regio/midden-limburg')
    })
  })
})
