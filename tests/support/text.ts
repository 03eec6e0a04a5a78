/**
 * The words of a page as a reader meets them, for tests of what a page says (issue 8, "Words").
 */

/** The visible text of a page: no scripts, styles or tags. */
export const textOf = (html: string) =>
  html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&[a-z]+;|&#\d+;/g, ' ')
    .replace(/\s+/g, ' ')

/** Formal address ("u", "uw") as a word of its own. */
export const FORMAL = /(^|[^\p{L}])(u|uw|U|Uw)(?=[^\p{L}]|$)/u

/** The first formal address in a text with some words around it, or null. */
export const formalIn = (text: string) => {
  const m = text.match(new RegExp(`.{0,40}${FORMAL.source}.{0,40}`, 'u'))
  return m ? m[0] : null
}
