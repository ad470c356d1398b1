// A declared document's blocks, filled, drawn as a PDF (pdfkit): a stream of its bytes for the file storage.
import type { Readable } from 'node:stream'
import PDFDocument from 'pdfkit'
import type { DocumentInput } from '../schemas/types.js'

export interface FilledBlock {
  text: string
  size?: number
  bold?: boolean
  align?: 'left' | 'center' | 'right'
  gap?: number
}

/** Characters of the standard PDF fonts' encoding (WinAnsi: Latin-1 and these); others print as `?` instead of garbage. */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ')
export const printable = (text: string) =>
  Array.from(text, (char) => {
    const code = char.codePointAt(0)!
    return char === '\n' || (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(char) ? char : '?'
  }).join('')

/** The document as a stream of PDF bytes: each block a paragraph, top to bottom, in Helvetica. */
export function renderPdf(page: DocumentInput['page'], title: string | undefined, blocks: FilledBlock[]): Readable {
  const pdf = new PDFDocument({
    size: page?.size ?? 'A4',
    layout: page?.layout ?? 'portrait',
    margin: 56,
    info: { Title: title ? printable(title) : undefined, Producer: 'quillbase', Creator: 'quillbase' }
  })
  pdf.y = pdf.page.margins.top + 24
  for (const block of blocks) {
    pdf.y += block.gap ?? 8
    pdf
      .font(block.bold ? 'Helvetica-Bold' : 'Helvetica')
      .fontSize(block.size ?? 12)
      .text(printable(block.text), { align: block.align ?? 'center' })
  }
  pdf.end()
  return pdf as unknown as Readable
}
