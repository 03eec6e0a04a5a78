import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { findPrinciplesDocument } from '../../server/modules/principles/content'
import { client, loginAs, startTestServer, type TestServer } from '../support/server'
import { chromiumMissing, expectNoAxeViolations, hydrated, launchBrowser, newPage, REGION, SCREENSHOT_DIR } from '../support/browser'

/**
 * Commenting on words with the keyboard alone (WCAG 2.1.1, 1.3.1, 2.4.3, 3.3.1, 4.1.3): from the
 * top of the document page a few Tabs reach "Reageer op tekst", which puts the caret at the start
 * of the text; Shift+arrows select from the first key, the browser's own selection holds the
 * words, a polite live region says what is selected, and the selection stays below the sticky
 * bar. An empty comment is refused with the focus on an alert summary and the error at the field;
 * a posted comment takes the focus. The same on the principles page and the review page.
 */
const PARENT = 'ouder@samenspel.example'
const COORDINATOR = 'beleidsmedewerker@samenspel.example'
const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 8000, interval: 50 })

const active = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null
    return {
      tag: el?.tagName.toLowerCase() ?? '',
      id: el?.id ?? '',
      text: (el?.innerText ?? '').trim(),
      role: el?.getAttribute('role') ?? '',
      inAlert: Boolean(el?.closest('[role="alert"]')),
    }
  })

async function tabTo(page: Page, name: string, max: number): Promise<number> {
  const seen: string[] = []
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press('Tab')
    const now = await active(page)
    if (now.text === name) return i
    seen.push(`${now.tag}#${now.id} ${now.text.slice(0, 30)}`)
  }
  throw new Error(`“${name}” not reached with ${max} presses of Tab:\n${seen.join('\n')}`)
}

describe.skipIf(chromiumMissing !== null)('e2e: commenting by keyboard, with focus and announcements', () => {
  let server: TestServer
  let browser: Browser
  let docId: string

  beforeAll(async () => {
    ;[server, browser] = await Promise.all([startTestServer({ dialect: 'sqlite' }), launchBrowser()])
    const region = await server.context.db.selectFrom('regions').select('id').where('slug', '=', REGION).executeTakeFirstOrThrow()
    docId = (await findPrinciplesDocument(server.context.db, region.id))!.id
  })
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('document page: reach the text, select from the first key, hear it, comment; errors and success take the focus', async () => {
    const page = await newPage(browser, server, { as: PARENT })
    try {
      await page.goto(`/regio/${REGION}/documenten/${docId}`)
      await hydrated(page)
      await page.locator('.doc-text--live').waitFor({ state: 'visible' })

      // The skip link, then a few Tabs reach the control, the first stop of the document's layout,
      // before the toolbar and the text; it puts the caret at the start of the text.
      await page.keyboard.press('Tab')
      expect((await active(page)).text).toBe('Naar de inhoud')
      await page.keyboard.press('Enter')
      const presses = await tabTo(page, 'Reageer op tekst', 12)
      expect(await page.evaluate(() => document.querySelector<HTMLElement>('.doc-layout :is(a, button, [tabindex="0"])')?.innerText)).toBe('Reageer op tekst')
      await page.keyboard.press('Enter')
      expect((await active(page)).id).toBe('doc-text')

      // From the first key: Shift+arrows select the first word, Ctrl+Shift+→ the next one.
      const firstWord = await page.locator('#doc-text').evaluate((el) => (el.textContent ?? '').trim().split(/\s+/)[0]!)
      for (let i = 0; i < firstWord.length; i++) await page.keyboard.press('Shift+ArrowRight')
      expect(await page.evaluate(() => document.getSelection()?.toString())).toBe(firstWord)
      await page.keyboard.press('Control+Shift+ArrowRight')
      await page.keyboard.press('Control+Shift+ArrowRight')
      await page.keyboard.press('Shift+ArrowLeft')
      const selected = (await page.evaluate(() => document.getSelection()?.toString() ?? '')).trim()
      expect(selected.startsWith(firstWord) && selected.split(/\s+/).length).toBe(2)
      expect(await page.locator('#doc-text .comment-selection').evaluateAll((els) => els.map((e) => e.textContent).join('').trim())).toBe(selected)
      // Said politely once the keys rest.
      const status = page.getByTestId('selection-status')
      expect(await status.getAttribute('aria-live')).toBe('polite')
      await poll(() => status.textContent()).toBe(`Geselecteerd: “${selected}”. Reageren: Ctrl+Alt+M.`)

      // Far down and back: the selection comes back into view below the sticky bar, not under it.
      await page.keyboard.press('Control+End')
      await poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(200)
      await page.keyboard.press('Control+Home')
      await page.keyboard.press('Control+Shift+ArrowRight')
      await page.waitForTimeout(100)
      const place = await page.evaluate(() => {
        const bar = document.querySelector('.doc-editor__bar')!.getBoundingClientRect()
        const sel = document.querySelector('#doc-text .comment-selection')!.getBoundingClientRect()
        return { barBottom: bar.bottom, top: sel.top, bottom: sel.bottom, height: window.innerHeight }
      })
      expect(place.top, `selection top ${place.top} below the bar's bottom ${place.barBottom}`).toBeGreaterThanOrEqual(place.barBottom)
      expect(place.bottom).toBeLessThanOrEqual(place.height)
      await page.screenshot({ path: `${SCREENSHOT_DIR}/comment-keyboard-selection.png` })
      const quoted = (await page.evaluate(() => document.getSelection()?.toString() ?? '')).trim()
      expect(quoted).toBe(firstWord)

      // Ctrl+Alt+M opens the form on those words; an empty comment is refused: focus on the alert summary, error at the field.
      await page.keyboard.press('Control+Alt+KeyM')
      expect((await active(page)).id).toBe('annotate-body')
      expect(await page.locator('form.annotate__form blockquote').innerText()).toBe(`“${quoted}”`)
      await page.keyboard.press('Tab')
      expect((await active(page)).text).toBe('Reactie plaatsen')
      await page.keyboard.press('Enter')
      await poll(async () => (await active(page)).inAlert).toBe(true)
      const summary = page.locator('form.annotate__form [role="alert"]')
      expect(await summary.innerText()).toContain('Reactie: Vul dit veld in.')
      const body = page.locator('#annotate-body')
      expect(await body.getAttribute('aria-invalid')).toBe('true')
      expect(await body.getAttribute('aria-describedby')).toBe('annotate-body-error')
      expect(await page.locator('#annotate-body-error').innerText()).toContain('Vul dit veld in.')
      await page.screenshot({ path: `${SCREENSHOT_DIR}/comment-keyboard-refused.png` })
      await expectNoAxeViolations(page, 'document page, empty comment refused')

      // From the summary's link into the field, type, and post with the keyboard.
      await tabTo(page, 'Reactie: Vul dit veld in.', 3)
      await page.keyboard.press('Enter')
      expect((await active(page)).id).toBe('annotate-body')
      await page.keyboard.type('Met het toetsenbord, vanaf de eerste toets.')
      await page.keyboard.press('Tab')
      await page.keyboard.press('Enter')
      await page.getByRole('status').filter({ hasText: 'De reactie is geplaatst.' }).waitFor()
      const made = await server.context.db.selectFrom('comments').select(['id', 'quote']).where('body', '=', 'Met het toetsenbord, vanaf de eerste toets.').executeTakeFirstOrThrow()
      expect(made.quote).toBe(quoted)
      // The focus is on the new comment in the panel, not lost to the page.
      await poll(async () => (await active(page)).id).toBe(`comment-${made.id}`)
      expect((await active(page)).text).toContain('Met het toetsenbord, vanaf de eerste toets.')
      await page.screenshot({ path: `${SCREENSHOT_DIR}/comment-keyboard-posted.png` })
      await expectNoAxeViolations(page, 'document page, comment posted')
      expect(presses, 'Tab presses after the skip link to reach “Reageer op tekst”').toBeLessThanOrEqual(12)
      // The two buttons above the text wrap on a narrow screen instead of widening the page (1.4.10).
      await page.setViewportSize({ width: 320, height: 700 })
      await poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320)
    } finally {
      await page.context().close()
    }
  })

  it('document page: tabbing straight into the text also starts at the beginning, with the selection in the browser', async () => {
    const page = await newPage(browser, server, { as: PARENT })
    try {
      await page.goto(`/regio/${REGION}/documenten/${docId}`)
      await hydrated(page)
      await page.locator('.doc-text--live').waitFor({ state: 'visible' })
      for (let i = 0; i < 40 && (await active(page)).id !== 'doc-text'; i++) await page.keyboard.press('Tab')
      expect((await active(page)).id).toBe('doc-text')
      await page.keyboard.press('Shift+ArrowRight')
      await page.keyboard.press('Shift+ArrowRight')
      const start = await page.locator('#doc-text').evaluate((el) => (el.textContent ?? '').trim().slice(0, 2))
      expect(await page.evaluate(() => document.getSelection()?.toString())).toBe(start)
      await poll(() => page.getByTestId('selection-status').textContent()).toBe(`Geselecteerd: “${start}”. Reageren: Ctrl+Alt+M.`)
    } finally {
      await page.context().close()
    }
  })

  it('principles page: says what it offers; a refused and a sent reaction take the focus', async () => {
    const page = await newPage(browser, server, { as: PARENT })
    try {
      await page.goto(`/regio/${REGION}/principes`)
      await hydrated(page)
      // The lead and the demo notice agree: a demo text, not what the region adopted.
      const lead = await page.locator('main p.utrecht-paragraph--lead').innerText()
      expect(lead).toContain('demotekst')
      expect(lead).not.toContain('waar de regio zich aan houdt')
      // Reacting to words is offered where it can be done: the whole text.
      expect(await page.getByRole('link', { name: 'Open de hele tekst en kies de woorden' }).getAttribute('href')).toBe(`/regio/${REGION}/documenten/${docId}`)

      const field = page.locator('#p0-body')
      await field.focus()
      await page.keyboard.press('Tab')
      await page.keyboard.press('Enter')
      await poll(async () => (await active(page)).inAlert).toBe(true)
      expect(await field.getAttribute('aria-invalid')).toBe('true')
      expect(await field.getAttribute('aria-describedby')).toBe('p0-error')
      await page.screenshot({ path: `${SCREENSHOT_DIR}/comment-keyboard-principles-refused.png`, fullPage: false })
      await expectNoAxeViolations(page, 'principles, empty reaction refused')

      await field.focus()
      await page.keyboard.type('Graag een voorbeeld.')
      await page.keyboard.press('Tab')
      await page.keyboard.press('Enter')
      await poll(async () => (await active(page)).text).toContain('Dank je!')
      await expectNoAxeViolations(page, 'principles, reaction sent')
    } finally {
      await page.context().close()
    }
  })

  it('review page: a refused answer focuses its summary; a saved one its confirmation in the card', async () => {
    const sent = await client(server, await loginAs(server, PARENT))(`/regio/${REGION}/principes`, { form: { principle: 'p1', body: 'Wat betekent dit voor ons?' } })
    expect(sent.status).toBe(200)
    const comment = await server.context.db.selectFrom('comments').select('id').where('body', '=', 'Wat betekent dit voor ons?').executeTakeFirstOrThrow()
    const page = await newPage(browser, server, { as: COORDINATOR })
    try {
      await page.goto(`/regio/${REGION}/documenten/${docId}/reacties`)
      await hydrated(page)
      const card = page.locator(`#c-${comment.id}`)
      await card.getByLabel('Wat doen we ermee?').selectOption({ label: 'niet overgenomen' })
      await card.getByRole('button', { name: 'Antwoord opslaan' }).press('Enter')
      await poll(async () => (await active(page)).inAlert).toBe(true)
      const reason = card.getByLabel('Toelichting (verplicht bij “niet overgenomen”)')
      expect(await reason.getAttribute('aria-invalid')).toBe('true')
      await expectNoAxeViolations(page, 'review, answer refused')

      await reason.fill('Staat al in de tekst.')
      await card.getByRole('button', { name: 'Antwoord opslaan' }).press('Enter')
      await poll(async () => (await active(page)).text).toContain('Opgeslagen')
      expect(await page.evaluate((id) => Boolean(document.activeElement?.closest(`#c-${id}`)), comment.id)).toBe(true)
      await expectNoAxeViolations(page, 'review, answer saved')
    } finally {
      await page.context().close()
    }
  })
})
