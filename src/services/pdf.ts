// A declared document's blocks, filled, drawn as a PDF (pdfkit): a stream of its bytes for the file storage.
import type { Readable } from 'node:stream'
import { createRequire } from 'node:module'
import { openSync, type Font } from 'fontkit'
import PDFDocument from 'pdfkit'
import type { DocumentInput } from '../schemas/types.js'

const require = createRequire(import.meta.url)

export interface FilledBlock {
  text: string
  size?: number
  bold?: boolean
  align?: 'left' | 'center' | 'right'
  gap?: number
}

/**
 * DejaVu Sans (regular and bold), embedded in each PDF as the subset of glyphs it uses: Latin with its extensions,
 * Greek, Cyrillic, Armenian, Georgian, Hebrew and more, so names print as written. The standard PDF fonts only had
 * Latin-1.
 */
const FONTS = { regular: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'), bold: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf') }
let glyphs: Font | undefined

/** The text with each character the font has no glyph for (CJK, Devanagari, …) as `?`, not an empty box. */
export function printable(text: string): string {
  glyphs ??= openSync(FONTS.regular) as Font
  return Array.from(text, (char) => (char === '\n' || glyphs!.hasGlyphForCodePoint(char.codePointAt(0)!) ? char : '?')).join('')
}

/** The document as a stream of PDF bytes: each block a paragraph, top to bottom, in DejaVu Sans. */
export function renderPdf(page: DocumentInput['page'], title: string | undefined, blocks: FilledBlock[]): Readable {
  const pdf = new PDFDocument({
    size: page?.size ?? 'A4',
    layout: page?.layout ?? 'portrait',
    margin: 56,
    info: { Title: title ? printable(title) : undefined, Producer: 'quillbase', Creator: 'quillbase' }
  })
  pdf.registerFont('text', FONTS.regular)
  pdf.registerFont('text-bold', FONTS.bold)
  pdf.y = pdf.page.margins.top + 24
  for (const block of blocks) {
    pdf.y += block.gap ?? 8
    pdf
      .font(block.bold ? 'text-bold' : 'text')
      .fontSize(block.size ?? 12)
      .text(printable(block.text), { align: block.align ?? 'center' })
  }
  pdf.end()
  return pdf as unknown as Readable
}
