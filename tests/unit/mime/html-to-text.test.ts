import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../../src/main/core/mime';

describe('htmlToText', () => {
  it('turns blocks into lines and paragraphs into blank-line separated text', () => {
    expect(htmlToText('<div>one</div><div>two</div><p>three</p><p>four<br>five</p>')).toBe(
      'one\ntwo\n\nthree\n\nfour\nfive',
    );
    expect(htmlToText('<h1>Title</h1>text')).toBe('Title\n\ntext');
    expect(htmlToText('a<br><br>b')).toBe('a\n\nb');
  });

  it('collapses whitespace but keeps it between inline elements', () => {
    expect(htmlToText('<p>  hello \n\t <b>big</b>   <i>world</i> </p>')).toBe('hello big world');
    expect(htmlToText('<span>a</span><span>b</span>')).toBe('ab');
  });

  it('drops head, style, script, title, comments and conditional comments', () => {
    const html =
      '<!DOCTYPE html><html><head><title>T</title><style>p { color: red }</style><meta charset="utf-8"></head>' +
      '<body><!-- hidden --><!--[if mso]><p>mso only</p><![endif]--><![if !mso]><p>shown</p><![endif]>' +
      '<script>document.write("<p>no</p>")</script><p>visible</p></body></html>';
    expect(htmlToText(html)).toBe('shown\n\nvisible');
  });

  it('survives a missing </head>', () => {
    expect(htmlToText('<html><head><title>x</title><body><p>body text</p>')).toBe('body text');
  });

  it('decodes entities, including legacy ones without ; and cp1252 numeric references', () => {
    expect(
      htmlToText('&lt;tag&gt; &amp; caf&eacute; &#8364;5 &#x1F389; &#150; &copy 2024 &unknown; &nbsp;x'),
    ).toBe('<tag> & café €5 🎉 – © 2024 &unknown;  x');
  });

  it('renders lists with bullets, numbers and nesting', () => {
    expect(
      htmlToText('<ul><li>a</li><li>b<ul><li>b1</li></ul></li></ul><ol start="3"><li>c</li><li>d</li></ol>'),
    ).toBe('- a\n- b\n  - b1\n\n3. c\n4. d');
  });

  it('quotes blockquotes with >, nested ones deeper', () => {
    expect(
      htmlToText('<p>reply</p><blockquote>quoted<blockquote>older</blockquote>back</blockquote>after'),
    ).toBe('reply\n\n> quoted\n>\n>> older\n>\n> back\n\nafter');
  });

  it('keeps <pre> text as written', () => {
    expect(htmlToText('<p>code:</p><pre>  a  b\n    c</pre><p>end</p>')).toBe(
      'code:\n\n  a  b\n    c\n\nend',
    );
  });

  it('separates table cells and rows', () => {
    expect(htmlToText('<table><tr><td>a</td><td>b</td></tr><tr><th>c</th><td>d</td></tr></table>')).toBe(
      'a b\nc d',
    );
  });

  it('shows link targets only when they add something, or never with links: omit', () => {
    const html =
      '<a href="https://example.com/x">Click</a> <a href="https://example.com">example.com</a> ' +
      '<a href="mailto:a@b.com">a@b.com</a> <a href="mailto:a@b.com?subject=hi">write</a> <a href="javascript:x()">js</a>' +
      '<a href="https://img"><img src="x"></a>';
    expect(htmlToText(html)).toBe('Click <https://example.com/x> example.com a@b.com write <a@b.com> js');
    expect(htmlToText(html, { links: 'omit' })).toBe('Click example.com a@b.com write js');
  });

  it('treats malformed markup as text and never throws', () => {
    expect(htmlToText('a < b and c > d')).toBe('a < b and c > d');
    expect(htmlToText('<<<>>>')).toBe('<<<>>>');
    expect(htmlToText('<p>unclosed <b>bold')).toBe('unclosed bold');
    expect(htmlToText('<a href="x>y" title=\'q"\'>link</a>')).toBe('link');
    expect(htmlToText('<P>UPPER</P><BR>Case')).toBe('UPPER\n\nCase');
    expect(htmlToText('text <!-- never closed')).toBe('text');
    expect(htmlToText('<div')).toBe('');
    expect(htmlToText('')).toBe('');
  });

  it('is linear on large and deeply nested input', () => {
    const big = '<div><table><tr><td><span>cell &amp; text</span></td></tr></table></div>'.repeat(20_000);
    const deep = '<div>'.repeat(50_000) + 'deep' + '</div>'.repeat(50_000);
    const started = Date.now();
    expect(htmlToText(big).split('\n').filter(Boolean)).toHaveLength(20_000);
    expect(htmlToText(deep)).toBe('deep');
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
