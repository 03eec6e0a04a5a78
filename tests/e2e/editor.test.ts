import { beforeAll, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { createDocument } from '../../server/modules/documents/commands'
import { expectNoAxeViolations, hydrated, REGION, screenshot } from '../support/browser'
import { e2eSuite } from '../support/portal'

/**
 * Co-editing in real browsers: two drafters type into one document and see each other's text and
 * named caret; a reader follows live but cannot type; versions are saved, compared and restored.
 * axe (WCAG 2.1 AA) on the document page and the versions page.
 */
const ESTHER = { email: 'beleidsmedewerker@samenspel.example', name: 'Esther Koopmanschap' }
const JOOST = { email: 'wethouder@samenspel.example', name: 'Joost Verhagen-Smit' }
const RUBEN = { email: 'aanbieder@samenspel.example', name: 'Ruben Zwanenburg' }
/** Live changes travel browser → server → browser: give them a few seconds. */
const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 8000, interval: 50 })

e2eSuite('e2e: the co-editing editor', (portal) => {
  let docId: string
  /** The two editors' pages, open from the second test on. */
  let esther: Page
  let joost: Page
  const docPath = () => `/regio/${REGION}/documenten/${docId}`

  beforeAll(async () => {
    docId = await createDocument(portal.db, {
      regionId: await portal.regionId(),
      kind: 'principles',
      title: 'Uitgangspunten inkoop 2027',
      actorId: null,
      now: new Date(),
      paragraphs: ['Normaliseren: zorg zo dichtbij en zo licht als het kan.'],
    })
  })

  /** Opens the document as someone and waits until the live editor has replaced the server's text. */
  async function openDocument(email: string): Promise<Page> {
    const page = await portal.newPage(email)
    const res = await page.goto(docPath())
    expect(res?.status()).toBe(200)
    await hydrated(page)
    await page.locator('.doc-text--live').waitFor({ state: 'visible' })
    return page
  }

  const editorOf = (page: Page) => page.getByRole('textbox', { name: 'Tekst van Uitgangspunten inkoop 2027' })
  /** The document's text as its blocks, without other people's caret labels. */
  const textOf = (page: Page) =>
    editorOf(page).evaluate((el) => {
      const copy = el.cloneNode(true) as HTMLElement
      copy.querySelectorAll('.collaboration-carets__caret').forEach((c) => c.remove())
      return [...copy.children].map((c) => c.textContent ?? '').join('\n')
    })
  const status = (page: Page) => page.locator('.doc-status__state').getAttribute('data-state')

  it('serves the text from the server before any script runs', async () => {
    await portal.withPage(RUBEN.email, async (page) => {
      await page.route('**/*.js', (route) => route.abort())
      await page.goto(docPath())
      expect(await page.getByTestId('doc-static').innerText()).toContain('Normaliseren: zorg zo dichtbij')
    })
  })

  it('the list shows the document; a drafter starts a new one and writes in it', async () => {
    const page = await portal.newPage(ESTHER.email)
    await page.goto(`/regio/${REGION}/documenten`)
    await hydrated(page)
    expect(await page.getByRole('link', { name: 'Uitgangspunten inkoop 2027', exact: true }).count()).toBe(1)
    await expectNoAxeViolations(page, 'documents list')
    await page.getByRole('button', { name: 'Document maken' }).click()
    await page.getByRole('alert').filter({ hasText: 'Het formulier is niet verstuurd' }).waitFor()
    await expectNoAxeViolations(page, 'documents list with an error')
    await screenshot(page, 'documents-list')
    await page.getByLabel('Titel').fill('Verslag kernteam 3 maart')
    await page.getByLabel('Soort document').selectOption('minutes')
    await page.getByRole('button', { name: 'Document maken' }).click()
    await page.getByRole('heading', { level: 1, name: 'Verslag kernteam 3 maart' }).waitFor()
    await page.locator('.doc-text--live').waitFor({ state: 'visible' })
    await page.getByRole('textbox', { name: 'Tekst van Verslag kernteam 3 maart' }).click()
    await page.keyboard.type('Aanwezig: de kernteamleden.')
    await poll(() => page.locator('.doc-status__state').getAttribute('data-state')).toBe('saved')
    // The server now renders the new text into the page (before the editor takes over).
    const html = await (await page.request.get(page.url())).text()
    expect(html).toContain('<div class="doc-text doc-text--static" data-testid="doc-static"><p>Aanwezig: de kernteamleden.</p></div>')
    await page.context().close()
  })

  it('two editors see each other’s text, names and carets; a reader follows live but cannot type', async () => {
    esther = await openDocument(ESTHER.email)
    joost = await openDocument(JOOST.email)
    await poll(() => status(esther)).toBe('saved')
    expect(await esther.locator('.doc-status__state').innerText()).toBe('Verbinding: opgeslagen')

    // Both are listed as present, in their colours.
    for (const page of [esther, joost]) {
      const present = page.getByRole('region', { name: 'Nu in dit document' })
      await poll(() => present.getByRole('listitem').allInnerTexts()).toHaveLength(2)
    }
    const first = (await esther.getByRole('region', { name: 'Nu in dit document' }).getByRole('listitem').allInnerTexts())[0]!
    expect(first.replace(/\s+/g, ' ')).toBe(`${ESTHER.name} (u)`)

    // Esther types at the end of the first paragraph; Joost adds a paragraph.
    await editorOf(esther).click()
    await esther.keyboard.press('Control+End')
    await esther.keyboard.type(' Met ouders en jongeren.')
    await poll(() => textOf(joost)).toContain('Met ouders en jongeren.')
    await editorOf(joost).click()
    await joost.keyboard.press('Control+End')
    await joost.keyboard.press('Enter')
    await joost.keyboard.type('Integraal samenwerken.')
    await poll(() => textOf(esther)).toContain('Integraal samenwerken.')

    // Each sees the other's caret, named.
    await poll(() => esther.locator('.collaboration-carets__label').allInnerTexts()).toEqual([JOOST.name])
    await editorOf(esther).click()
    await poll(() => joost.locator('.collaboration-carets__label').allInnerTexts()).toEqual([ESTHER.name])
    await poll(() => status(esther)).toBe('saved')

    // The toolbar: real buttons with pressed states, reached with Alt+F10, arrows inside.
    await editorOf(esther).press('Control+End')
    await esther.keyboard.press('Shift+Home')
    // ProseMirror reads a selection made by the browser on the next selectionchange event;
    // a person is never faster than that, a test can be.
    await esther.waitForTimeout(100)
    await esther.keyboard.press('Control+b')
    const bold = esther.getByRole('button', { name: 'Vet' })
    await poll(() => bold.getAttribute('aria-pressed')).toBe('true')
    await esther.keyboard.press('Alt+F10')
    await poll(() => esther.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Vet')
    await esther.keyboard.press('ArrowRight')
    await poll(() => esther.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Cursief')
    await esther.keyboard.press('End')
    await poll(() => esther.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Opnieuw doen')
    await esther.keyboard.press('ArrowLeft')
    await esther.keyboard.press('Enter')
    // Undo took back the bold, only Esther's own change.
    await poll(() => bold.getAttribute('aria-pressed')).toBe('false')
    await poll(() => joost.locator('.doc-text--live strong').count()).toBe(0)
    await esther.keyboard.press('Escape')
    expect(await esther.evaluate(() => document.activeElement?.classList.contains('doc-text--live'))).toBe(true)

    await expectNoAxeViolations(esther, 'document page (editor, two people)')
    await editorOf(joost).click()
    await esther.locator('.collaboration-carets__label').waitFor()
    await screenshot(esther, 'editor-two-users')

    // The reader: live updates, the reason for read-only, and no way to type.
    const ruben = await openDocument(RUBEN.email)
    expect(await ruben.getByRole('status').filter({ hasText: 'niet wijzigen' }).innerText()).toContain('U kunt deze tekst lezen en erop reageren')
    expect(await editorOf(ruben).getAttribute('contenteditable')).toBe('false')
    expect(await editorOf(ruben).getAttribute('aria-readonly')).toBe('true')
    expect(await ruben.getByRole('toolbar').count()).toBe(0)
    await joost.keyboard.type(' Live voor iedereen.')
    await poll(() => textOf(ruben)).toContain('Live voor iedereen.')
    await screenshot(ruben, 'editor-reader')
    await editorOf(ruben).click()
    await ruben.keyboard.type('Ingebroken')
    await joost.keyboard.type(' Nog meer.')
    await poll(() => textOf(ruben)).toContain('Nog meer.')
    for (const page of [ruben, esther, joost]) expect(await textOf(page)).not.toContain('Ingebroken')
    await poll(() => ruben.getByRole('region', { name: 'Nu in dit document' }).getByRole('listitem').count()).toBe(3)
    await expectNoAxeViolations(ruben, 'document page (reader)')
  })

  it('offline edits are kept, shown as such, and merged on reconnect', async () => {
    await esther.context().setOffline(true)
    await poll(() => status(esther)).toBe('offline')
    expect(await esther.locator('.doc-status').innerText()).toContain('samengevoegd zodra de verbinding terug is')
    await editorOf(esther).click()
    await esther.keyboard.press('Control+End')
    await esther.keyboard.type(' Offline geschreven.')
    await editorOf(joost).click()
    await joost.keyboard.press('Control+End')
    await joost.keyboard.type(' Intussen online.')
    await poll(() => textOf(esther)).not.toContain('Intussen online.')
    await esther.context().setOffline(false)
    await poll(() => status(esther)).toBe('saved')
    await poll(() => textOf(joost)).toContain('Offline geschreven.')
    await poll(() => textOf(esther)).toContain('Intussen online.')
  })

  it('versions: save, compare with the current text, restore live; axe on the versions page', async () => {
    const versions = await portal.newPage(ESTHER.email)
    await versions.goto(`${docPath()}/versies`)
    await hydrated(versions)
    await expectNoAxeViolations(versions, 'versions page (empty)')
    await versions.getByRole('button', { name: 'Versie opslaan' }).click()
    await versions.getByRole('alert').filter({ hasText: 'Het formulier is niet verstuurd' }).waitFor()
    await versions.getByLabel('Naam van de versie').fill('Na de eerste ronde')
    await versions.getByRole('button', { name: 'Versie opslaan' }).click()
    await versions.getByText('Versie ‘Na de eerste ronde’ is opgeslagen.').waitFor()
    const saved = await textOf(joost)

    // Change the text, then compare the version with it.
    await editorOf(joost).click()
    await joost.keyboard.press('Control+End')
    await joost.keyboard.press('Enter')
    await joost.keyboard.type('Een nieuwe alinea na de versie.')
    await poll(() => status(joost)).toBe('saved')
    await versions.getByRole('link', { name: 'Vergelijk ‘Na de eerste ronde’ met de huidige tekst' }).click()
    const table = versions.getByRole('table', { name: /Na de eerste ronde.*Huidige tekst/ })
    await table.waitFor()
    expect(await table.locator('ins').first().innerText()).toContain('Een nieuwe alinea na de versie.')
    expect(await table.locator('ins .visually-hidden').first().textContent()).toBe('[ingevoegd: ')
    await expectNoAxeViolations(versions, 'versions page with a comparison')
    await screenshot(versions, 'versions-compare')

    // Restore: both editors see the old text at once.
    await versions.getByRole('button', { name: 'Zet ‘Na de eerste ronde’ terug' }).click()
    await versions.getByText('Versie ‘Na de eerste ronde’ is teruggezet.').waitFor()
    await poll(() => textOf(esther)).toBe(saved)
    await poll(() => textOf(joost)).toBe(saved)
    expect(await versions.getByRole('rowheader', { name: 'Vóór terugzetten van ‘Na de eerste ronde’' }).count()).toBe(1)
    await expectNoAxeViolations(versions, 'versions page after a restore')
  })
})
