import { beforeAll, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { findPrinciplesDocument } from '../../server/modules/principles/content'
import { expectNoAxeViolations, hydrated, REGION, screenshot } from '../support/browser'
import { e2eSuite } from '../support/portal'

/**
 * Comments on words of the seeded principles document, in real browsers: a youth-panel member
 * selects a sentence and comments while a drafter types around it (the highlight stays on its
 * words); a coordinator approves; the drafter answers with a version; the member reads the answer.
 * A deleted sentence leaves an orphaned comment with its quote; keyboard-only commenting; axe.
 */
const YOUTH = 'jongere@samenspel.example'
const DRAFTER = 'beleidsmedewerker@samenspel.example'
const COORDINATOR = 'regiocoordinator@samenspel.example'
const PARENT = 'ouder@samenspel.example'
const SENTENCE = 'Vaak helpt het al om te weten wat bij een leeftijd hoort'
const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 8000, interval: 50 })

e2eSuite('e2e: comments on words', (portal) => {
  let docId: string
  const docPath = () => `/regio/${REGION}/documenten/${docId}`

  beforeAll(async () => {
    docId = (await findPrinciplesDocument(portal.db, await portal.regionId()))!.id
  })

  async function open(email: string, path = docPath()): Promise<Page> {
    const page = await portal.newPage(email)
    const res = await page.goto(path)
    expect(res?.status()).toBe(200)
    await hydrated(page)
    if (path === docPath()) await page.locator('.doc-text--live').waitFor({ state: 'visible' })
    return page
  }

  /** Selects `text` in the editor the way a mouse drag does (a DOM selection the editor picks up). */
  async function selectInEditor(page: Page, text: string, collapse?: 'start' | 'end') {
    await page.evaluate(
      ({ text, collapse }) => {
        const root = document.getElementById('doc-text')!
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT)
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const i = n.textContent!.indexOf(text)
          if (i === -1) continue
          const from = collapse === 'end' ? i + text.length : i
          const to = collapse === 'start' ? i : i + text.length
          root.focus()
          document.getSelection()!.setBaseAndExtent(n, from, n, to)
          return
        }
        throw new Error(`not in the editor: ${text}`)
      },
      { text, collapse },
    )
    // The editor reads the DOM selection on selectionchange.
    await page.waitForTimeout(100)
  }

  const highlight = (page: Page, id: string) =>
    page.locator(`#doc-text [data-comment-id="${id}"]`).evaluateAll((els) => els.map((e) => e.textContent ?? '').join(''))

  async function commentIds(): Promise<string[]> {
    return (await portal.db.selectFrom('comments').select('id').orderBy('created_at').execute()).map((r) => r.id)
  }

  it('a youth member comments on a sentence while a drafter edits around it; approved, answered, read back', async () => {
    const youth = await open(YOUTH)
    const drafter = await open(DRAFTER)
    expect(await youth.locator('#doc-text').getAttribute('contenteditable')).toBe('false')

    await selectInEditor(youth, SENTENCE)
    await youth.getByRole('button', { name: 'Reageer op selectie' }).click()
    const form = youth.locator('form.annotate__form')
    expect(await form.locator('blockquote').innerText()).toBe(`“${SENTENCE}”`)
    // An empty comment is refused with a message at the field.
    await form.getByRole('button', { name: 'Reactie plaatsen' }).click()
    await form.locator('#annotate-body-error').waitFor()
    await form.getByLabel('Reactie').fill('Hoe weet ik dan waar ik hulp kan vragen?')
    await form.getByRole('button', { name: 'Reactie plaatsen' }).click()
    await youth.getByText('De reactie is geplaatst. Een begeleider kijkt er eerst naar').waitFor()
    const [id] = await commentIds()
    expect(id).toBeDefined()
    await poll(() => highlight(youth, id!)).toBe(SENTENCE)

    // The drafter types right before and right after the sentence; the comment keeps its words.
    await drafter.reload()
    await hydrated(drafter)
    await drafter.locator('.doc-text--live').waitFor({ state: 'visible' })
    await selectInEditor(drafter, SENTENCE, 'start')
    await drafter.keyboard.type('Let op: ')
    await selectInEditor(drafter, SENTENCE, 'end')
    await drafter.keyboard.type(' in de wijk')
    await poll(() => youth.locator('#doc-text').innerText()).toContain(`Let op: ${SENTENCE} in de wijk`)
    await poll(() => highlight(youth, id!)).toBe(SENTENCE)
    await poll(() => highlight(drafter, id!)).toBe(SENTENCE)

    // The side panel lists it under its principle, and "Ga naar de tekst" selects its words.
    const item = youth.locator(`[data-comment="${id}"]`)
    expect(await item.getAttribute('data-status')).toBe('active')
    await item.getByRole('button', { name: /Ga naar de tekst/ }).click()
    expect(await youth.evaluate(() => document.activeElement?.id)).toBe('doc-text')
    expect(await youth.locator('#doc-text .comment-selection').evaluateAll((els) => els.map((e) => e.textContent).join(''))).toBe(SENTENCE)
    // The whole page, and what a person sees: the highlighted words beside the panel.
    const file = await screenshot(youth, 'comments-document')
    await youth.screenshot({ path: file.replace('.png', '-viewport.png') })
    await expectNoAxeViolations(youth, 'document page with a comment and the panel')

    // A coordinator approves it on the review page.
    const coordinator = await open(COORDINATOR, `${docPath()}/reacties`)
    await coordinator.locator(`#c-${id}`).getByRole('button', { name: 'Goedkeuren' }).click()
    await coordinator.getByText('Opgeslagen').first().waitFor()
    expect((await portal.db.selectFrom('comments').select('moderation').where('id', '=', id!).executeTakeFirstOrThrow()).moderation).toBe('visible')

    // The drafter saves a version and answers: adopted, in that version.
    await drafter.goto(`${docPath()}/versies`)
    await hydrated(drafter)
    await drafter.getByLabel('Naam van de versie').fill('Na het jongerenpanel')
    await drafter.getByRole('button', { name: 'Versie opslaan' }).click()
    await drafter.getByText('Versie ‘Na het jongerenpanel’ is opgeslagen.').waitFor()
    await drafter.goto(`${docPath()}/reacties`)
    await hydrated(drafter)
    const card = drafter.locator(`#c-${id}`)
    await card.getByLabel('Wat doen we ermee?').selectOption('adopted')
    await card.getByLabel('Verwerkt in versie').selectOption({ index: 1 })
    await card.getByRole('button', { name: 'Antwoord opslaan' }).click()
    await poll(async () => (await portal.db.selectFrom('comments').select('disposition').where('id', '=', id!).executeTakeFirstOrThrow()).disposition).toBe('adopted')

    // The youth member reads the answer.
    await youth.goto('/mijn-reacties')
    await hydrated(youth)
    const mine = await youth.locator('main').innerText()
    expect(mine).toContain(SENTENCE)
    expect(mine).toContain('overgenomen')
    expect(mine).toContain('Na het jongerenpanel')
    await expectNoAxeViolations(youth, 'my comments')
    // Opening the page left the news unread; the member marks it read with the keyboard alone.
    const markRead = youth.getByRole('button', { name: 'Markeer als gelezen' })
    for (let i = 0; i < 60 && !(await markRead.evaluate((el) => el === document.activeElement)); i++) await youth.keyboard.press('Tab')
    await youth.keyboard.press('Enter')
    await youth.getByText('Je meldingen zijn gemarkeerd als gelezen.').waitFor()
    // The button is gone with the news; the focus is on the confirmation, not lost at the top.
    expect(await youth.evaluate(() => document.activeElement?.textContent ?? '')).toContain('Je meldingen zijn gemarkeerd als gelezen.')
    expect(await markRead.count()).toBe(0)
    await expectNoAxeViolations(youth, 'my comments, marked read')
    await youth.goto(`/regio/${REGION}/principes`)
    await hydrated(youth)
    await expectNoAxeViolations(youth, 'principles panel page')
  })

  it('a deleted sentence leaves an orphaned comment, listed with its quote', async () => {
    const quote = 'Iedere gemeente heeft haar eigen politieke situatie'
    const parent = await open(PARENT)
    await selectInEditor(parent, quote)
    await parent.getByRole('button', { name: 'Reageer op selectie' }).click()
    await parent.locator('form.annotate__form').getByLabel('Reactie').fill('Goed dat gemeenten zelf mogen kiezen.')
    await parent.locator('form.annotate__form').getByRole('button', { name: 'Reactie plaatsen' }).click()
    await parent.getByText('De reactie is geplaatst.').waitFor()
    const id = (await commentIds()).at(-1)!
    await poll(() => highlight(parent, id)).toBe(quote)

    const drafter = await open(DRAFTER)
    await selectInEditor(drafter, quote)
    await drafter.keyboard.press('Backspace')
    await poll(() => parent.locator(`#doc-text [data-comment-id="${id}"]`).count()).toBe(0)

    await parent.reload()
    await hydrated(parent)
    const item = parent.locator(`[data-comment="${id}"]`)
    expect(await item.getAttribute('data-status')).toBe('orphaned')
    expect(await item.innerText()).toContain(`“${quote}”`)
    expect(await item.innerText()).toContain('tekst is weggehaald')
    expect(await item.getByRole('button', { name: /Ga naar de tekst/ }).count()).toBe(0)
    await parent.locator('.doc-text--live').waitFor({ state: 'visible' })
    await expectNoAxeViolations(parent, 'document page with an orphaned comment')
  })

  it('keyboard only: Tab to the text, Shift+arrows to select, Ctrl+Alt+M to comment', async () => {
    const page = await open(PARENT)
    const before = (await commentIds()).length
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab')
      if (await page.evaluate(() => document.activeElement?.id === 'doc-text')) break
    }
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('doc-text')
    expect(await page.locator('#doc-text').getAttribute('aria-describedby')).toBe('doc-shortcuts')
    expect(await page.locator('#doc-shortcuts').innerText()).toContain('Ctrl+Alt+M')
    await page.keyboard.press('Control+Home')
    await page.keyboard.press('Control+Shift+ArrowRight')
    await page.keyboard.press('Control+Shift+ArrowRight')
    await page.keyboard.press('Shift+ArrowLeft')
    const selected = await page.locator('#doc-text .comment-selection').evaluateAll((els) => els.map((e) => e.textContent).join(''))
    expect(selected.split(' ')).toHaveLength(2)
    await page.keyboard.press('Control+Alt+KeyM')
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('annotate-body')
    expect(await page.locator('form.annotate__form blockquote').innerText()).toBe(`“${selected}”`)
    await page.keyboard.type('Met het toetsenbord gemaakt.')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Enter')
    await page.getByText('De reactie is geplaatst.').waitFor()
    const ids = await commentIds()
    expect(ids).toHaveLength(before + 1)
    await poll(() => highlight(page, ids.at(-1)!)).toBe(selected)
  })
})
