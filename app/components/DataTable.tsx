import { useId, type HTMLAttributes, type ReactNode } from 'react'

/**
 * The portal's one table: NL Design System (Utrecht) table classes, a caption, column headers, and
 * a layout that never widens the page (WCAG 1.4.10 Reflow).
 *
 * - On narrow screens (below 40rem) each row becomes a card: the cells stack, each with its column's
 *   name in front (from `data-label`), so nothing has to be scrolled sideways at 320 px.
 * - Wider, the table sits in a scroll region of its own. Should it still not fit (200 % zoom on a
 *   small laptop, a column of form controls), only the table scrolls; the region is labelled by the
 *   caption and is focusable, so keyboard users can scroll it too (axe: scrollable-region-focusable).
 */
export interface Column<Row> {
  /** the column header */
  header: ReactNode
  /** the column's name in front of each cell when rows are cards (defaults to the header, if text) */
  label?: string
  cell: (row: Row) => ReactNode
  /** extra classes for the cells, e.g. `cell--email`, `cell--name` */
  className?: string
  /** the cell names its row (a `<th scope="row">`), e.g. a version's name */
  rowHeader?: boolean
}

export interface DataTableProps<Row> {
  caption: ReactNode
  /** a caption that only screen readers hear (the page's heading already says what the table is) */
  captionHidden?: boolean
  columns: Column<Row>[]
  rows: readonly Row[]
  rowKey: (row: Row) => string
  /** attributes for a row, e.g. a data-testid */
  rowProps?: (row: Row) => HTMLAttributes<HTMLTableRowElement> & { 'data-testid'?: string }
  className?: string
}

export function DataTable<Row>({ caption, captionHidden, columns, rows, rowKey, rowProps, className }: DataTableProps<Row>) {
  const captionId = useId()
  return (
    <div className="table-scroll" role="region" aria-labelledby={captionId} tabIndex={0}>
      <table className={`utrecht-table data-table data-table--stack${className ? ` ${className}` : ''}`}>
        <caption id={captionId} className={`utrecht-table__caption${captionHidden ? ' visually-hidden' : ''}`}>
          {caption}
        </caption>
        <thead className="utrecht-table__header">
          <tr className="utrecht-table__row">
            {columns.map((c, i) => (
              <th key={i} scope="col" className="utrecht-table__header-cell">
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="utrecht-table__body">
          {rows.map((row) => (
            <tr key={rowKey(row)} {...rowProps?.(row)} className="utrecht-table__row">
              {columns.map((c, i) => {
                const Cell = c.rowHeader ? 'th' : 'td'
                return (
                  <Cell
                    key={i}
                    scope={c.rowHeader ? 'row' : undefined}
                    className={`utrecht-table__cell${c.className ? ` ${c.className}` : ''}`}
                    data-label={c.label ?? (typeof c.header === 'string' ? c.header : undefined)}
                  >
                    {c.cell(row)}
                  </Cell>
                )
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
