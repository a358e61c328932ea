import { describe, expect, it } from 'vitest';
import { escapeHtml, markdownToHtml, renderMarkdown } from './markdown';

// The DOMPurify layer needs a DOM and is exercised in the browser (e2e/app/markdown-safety.spec.ts);
// here the first layer must already be safe on its own.
describe('markdown rendering', () => {
  it('renders lists, code blocks and emphasis', () => {
    const html = markdownToHtml('Steps:\n\n1. **one**\n2. *two*\n\n```js\nconst a = 1 < 2;\n```\n');
    expect(html).toContain('<ol>');
    expect(html).toContain('<strong>one</strong>');
    expect(html).toContain('<em>two</em>');
    expect(html).toContain('<pre><code class="language-js">const a = 1 &lt; 2;');
  });

  it('escapes raw HTML from the model instead of passing it through', () => {
    const html = markdownToHtml('Hi <img src=x onerror="alert(1)"> and\n\n<script>alert(2)</script>\n\n<b onclick="x()">b</b>');
    expect(html).not.toMatch(/<img|<script|<b /i);
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    expect(html).toContain('&lt;script&gt;');
  });

  it('never emits images, which would fetch from another origin', () => {
    const html = markdownToHtml('![tracker](https://evil.example/pixel.png)');
    expect(html).not.toContain('<img');
    expect(html).toContain('tracker');
  });

  it('without a DOM to sanitise with, escapes everything', () => {
    expect(renderMarkdown('<script>alert(1)</script>')).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
  });
});

describe('markdown rendering never throws', () => {
  // About 2,000 nested markers made marked overflow the stack (after minutes of work), and the conversation holding
  // such a reply could no longer be opened. Deep nesting renders as plain text instead, at once.
  const deep = [
    ['quotes', '>'.repeat(2000) + ' hi'],
    ['spaced quotes', '> '.repeat(2000) + 'hi'],
    ['list markers', '* '.repeat(2000) + 'hi'],
    ['emphasis', '*'.repeat(2000) + 'hi' + '*'.repeat(2000)],
    ['indented lists', Array.from({ length: 2000 }, (_, i) => ' '.repeat(i * 2) + '* x').join('\n')],
  ] as const;
  for (const [name, source] of deep) {
    it(`renders ~2,000 nested ${name} as plain text, quickly`, () => {
      const started = performance.now();
      const html = markdownToHtml(source);
      expect(performance.now() - started).toBeLessThan(2000);
      expect(html.startsWith('<p>')).toBe(true);
      // Every character is kept, escaped, line by line.
      expect(html).toContain(escapeHtml(source.split('\n').at(-1)!));
      expect(() => renderMarkdown(source)).not.toThrow();
    });
  }

  it('still renders ordinary nesting as Markdown', () => {
    expect(markdownToHtml('> quoted\n>> twice\n\n* a\n  * b\n    * c')).toMatch(/<blockquote>[\s\S]*<blockquote>[\s\S]*<ul>[\s\S]*<ul>/);
    expect(markdownToHtml('**bold** and ***both***')).toContain('<strong>bold</strong>');
  });
});
