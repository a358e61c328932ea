/**
 * Model output to safe HTML. Two independent layers, so a bug in one does not open the door:
 * 1. marked renders Markdown with raw HTML escaped (the model's "<script>" becomes visible text) and images
 *    shown as their alt text (a remote image would be a request to another origin, i.e. a tracking pixel);
 * 2. DOMPurify then sanitises the result with a short allow-list, and links get rel="noopener noreferrer".
 * Where DOMPurify cannot run (no DOM), the text is escaped whole instead of trusting layer 1 alone.
 */
import DOMPurify from 'dompurify';
import { Marked } from 'marked';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const markdown = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  renderer: {
    html({ text }) {
      return escapeHtml(text);
    },
    image({ text }) {
      return escapeHtml(text);
    },
  },
});

/**
 * Deeper nesting than any real reply has. marked parses nesting by recursion: a reply of ~2,000 nested `>` or `*`
 * takes minutes and then overflows the stack, which made the conversation impossible to open.
 */
const MAX_NESTING = 40;
const MAX_DELIMITER_RUN = 60;

/** How deeply `source` would nest when parsed: quote and list markers (and indentation) on a line, delimiter runs. */
export function nestingDepth(source: string): number {
  let depth = 0;
  for (const line of source.split('\n')) {
    const lead = /^(?:[ \t]*(?:>|[*+-](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)))+/.exec(line)?.[0] ?? '';
    const markers = lead.replace(/[ \t]/g, '').replace(/\d+/g, '').length;
    const indent = /^[ \t]*/.exec(line)![0].length;
    depth = Math.max(depth, markers + Math.floor(indent / 2));
  }
  for (const run of source.match(/[*_~[\]()<>]{2,}/g) ?? []) depth = Math.max(depth, run.length * (MAX_NESTING / MAX_DELIMITER_RUN));
  return depth;
}

/** The reply as plain text: what rendering falls back to when the Markdown is too deep (or marked fails at all). */
export function plainTextHtml(source: string): string {
  return `<p>${escapeHtml(source).replace(/\n/g, '<br>')}</p>`;
}

/** Markdown to HTML with raw HTML escaped and images removed, but not yet sanitised. Never throws. */
export function markdownToHtml(source: string): string {
  if (nestingDepth(source) > MAX_NESTING) return plainTextHtml(source);
  try {
    return markdown.parse(source, { async: false });
  } catch {
    return plainTextHtml(source);
  }
}

const ALLOWED_TAGS = [
  'p', 'br', 'hr', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'input', 'span',
];
const ALLOWED_ATTR = ['href', 'title', 'start', 'type', 'checked', 'disabled', 'align', 'class'];

let hooked = false;
function purifier(): typeof DOMPurify | undefined {
  if (!DOMPurify.isSupported) return undefined;
  if (!hooked) {
    hooked = true;
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A') {
        node.setAttribute('rel', 'noopener noreferrer nofollow');
        node.setAttribute('target', '_blank');
      }
      // GFM task-list checkboxes are the only inputs marked emits; anything else called input goes.
      if (node.tagName === 'INPUT' && node.getAttribute('type') !== 'checkbox') node.remove();
      if (node.tagName === 'INPUT') node.setAttribute('disabled', '');
    });
  }
  return DOMPurify;
}

/** Safe HTML for a model's reply (or anything else untrusted). */
export function renderMarkdown(source: string): string {
  const purify = purifier();
  if (!purify) return `<p>${escapeHtml(source)}</p>`;
  return purify.sanitize(markdownToHtml(source), {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    // http(s) and mailto links only: no javascript:, data: or other schemes.
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
  });
}
