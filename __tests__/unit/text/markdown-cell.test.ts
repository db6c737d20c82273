import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { oneLine } from '../../../src/text/safe-text.js'
import { cell } from '../../../src/text/markdown-cell.js'
import { renderGfm } from '../../support/gfm.js'

// Summary cells are inert: rendered by real GFM renderers, text from the API or the user shows as the
// very text it is, with no link, image, HTML or formatting, in a table cell and in an alert line alike.

const PIECES = [
  '[x](https://evil.example)',
  '![i](https://evil.example/i.png)',
  '<img src=x>',
  '<b>',
  '</td>',
  '&amp;',
  '&#60;',
  'https://evil.example/a',
  'http://evil.example',
  'www.evil.example',
  'WWW.EVIL.EXAMPLE',
  'ops@evil.example',
  'mailto:ops@evil.example',
  '<https://evil.example>',
  '[^1]',
  '[ref]: https://evil.example',
  '|',
  '`',
  '\\',
  '*',
  '_',
  '~~',
  '$x$',
  '# ',
  '- ',
  '+ ',
  '1. ',
  '2) ',
  '> ',
  '=',
  '    ',
  ' ',
  'a',
  '6.8.1',
  '2026-01-01T00:00:00Z',
  ':',
  '\n',
  '\r\n'
]
const text = fc.array(fc.constantFrom(...PIECES), { maxLength: 10 }).map((parts) => parts.join(''))
const TABLE_TAGS = new Set(['table', 'thead', 'tbody', 'tr', 'th', 'td', 'blockquote', 'p'])

function page(value: string): string {
  return ['| | |', '| --- | --- |', `| Description | ${cell(value)} |`, '', `> ${cell(value)}`, ''].join('\n')
}

describe('cell', () => {
  it('renders as the very text it is: no link, image, HTML or formatting, in a table cell or at the start of a line', () => {
    fc.assert(
      fc.property(text, (value) => {
        const rendered = renderGfm(page(value))
        for (const tag of rendered.tags) expect(TABLE_TAGS).toContain(tag)
        const shown = oneLine(value) || '—'
        expect(rendered.cells[1]).toEqual(['Description', shown])
        const quote = /<blockquote>\s*<p>([\s\S]*?)<\/p>/.exec(rendered.html[0] ?? '')?.[1] ?? ''
        expect(
          quote
            .replace(/&lt;/g, '<')
            .replace(/&gt;/g, '>')
            .replace(/&quot;/g, '"')
            .replace(/&amp;/g, '&')
        ).toBe(shown)
      }),
      { numRuns: 300 }
    )
  })

  it('keeps ids, times and versions as they are written', () => {
    expect(cell('e41fa98f-ea80-4654-b229-a9b765d0863a')).toBe('e41fa98f-ea80-4654-b229-a9b765d0863a')
    expect(cell('2026-01-01T00:04:00Z')).toBe('2026-01-01T00:04:00Z')
    expect(cell('6.8.1')).toBe('6.8.1')
    expect(cell('')).toBe('—')
  })

  it('breaks the bare links GFM would make of a run URL, a www name or an address', () => {
    expect(cell('see https://github.com/acme/shop/actions/runs/1')).toBe('see https\\://github.com/acme/shop/actions/runs/1')
    expect(cell('www.example.com ops@example.com')).toBe('www\\.example.com ops\\@example.com')
  })
})
