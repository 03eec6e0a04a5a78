/**
 * CSV that Dutch spreadsheet programs open right with a double click: a UTF-8 byte order mark (so
 * accents survive), semicolons between cells (Dutch Excel reads a comma as the decimal sign and puts a
 * whole comma-separated row in one cell), CRLF line ends, quotes where a cell needs them (RFC 4180),
 * and no formulas: a cell that starts with = + - @ or a tab gets a leading apostrophe, so a comment
 * such as "=HYPERLINK(...)" is shown as text and never run (CSV injection).
 * Dates are written as people read them here: 31-12-2026 14:05, Amsterdam time.
 */
export const CSV_SEPARATOR = ';'

function cell(value: string): string {
  const defused = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[";\r\n]/.test(defused) || defused !== value || /^\s|\s$/.test(defused) ? `"${defused.replace(/"/g, '""')}"` : defused
}

/** The byte order mark that opens every file, so Excel reads UTF-8. */
export const CSV_BOM = '\uFEFF'

/** One row with its line end: for a file written (or streamed) a row at a time after CSV_BOM. */
export function csvLine(cells: readonly string[]): string {
  return cells.map(cell).join(CSV_SEPARATOR) + '\r\n'
}

export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return CSV_BOM + [header, ...rows].map(csvLine).join('')
}

const local = new Intl.DateTimeFormat('nl-NL', {
  timeZone: 'Europe/Amsterdam',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
})

/** An ISO time as a cell: "31-12-2026 14:05" in Amsterdam time (what Excel NL recognises as a date). */
export function csvDateTime(isoTime: string): string {
  const d = new Date(isoTime)
  if (Number.isNaN(d.getTime())) return isoTime
  const p = Object.fromEntries(local.formatToParts(d).map((x) => [x.type, x.value]))
  return `${p.day}-${p.month}-${p.year} ${p.hour}:${p.minute}`
}

/**
 * A download that cannot be given: a download has no page around it, so the reason is said in words
 * (in the reader's language) as plain text, never as a bare "Not Found".
 */
export function downloadRefused(message: string, status: 400 | 403 | 404): Response {
  return new Response(message, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } })
}

/** The headers of a CSV download; the file name keeps letters and digits only. */
export function csvHeaders(baseName: string): Record<string, string> {
  const safe = baseName.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'export'
  return {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${safe.replace(/[^\x20-\x7e]/g, '_')}.csv"; filename*=UTF-8''${encodeURIComponent(safe)}.csv`,
  }
}
