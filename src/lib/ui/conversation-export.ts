/**
 * A conversation as a file: Markdown to read, keep or share (with the whole chat, versions included, in a comment at
 * its end, so importing it back gives the identical chat), and a clean page to print as a lesson sheet.
 */
import { TritError } from '../errors';
import { CONVERSATION_FORMAT, migrateConversation, type Conversation } from './conversations';
import { escapeHtml, renderMarkdown } from './markdown';

export interface ExportLabels {
  you: string;
  assistant: string;
  instructions: string;
}

const DATA_START = '<!-- trit-conversation ';
const DATA_END = ' -->';

/** JSON safe inside an HTML comment: '>' only occurs within its strings, where \u003e means the same. */
function commentSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/>/g, '\\u003e');
}

/** A file name from the chat's title. */
export function exportFileName(c: Conversation, extension: 'md' | 'html'): string {
  const base = c.title.normalize('NFKD').replace(/[^\w\s-]/g, '').trim().replace(/\s+/g, '-').toLowerCase().slice(0, 50);
  return `${base || 'chat'}.${extension}`;
}

/** The shown conversation as Markdown, then the whole chat as data for import. Pending or failed replies are left out of the text. */
export function toMarkdown(c: Conversation, labels: ExportLabels): string {
  const parts = [`# ${c.title.replace(/\n/g, ' ')}`];
  if (c.systemPrompt?.trim()) parts.push(`> **${labels.instructions}:** ${c.systemPrompt.trim().replace(/\n/g, '\n> ')}`);
  for (const m of c.messages) {
    if (m.pending || (m.role === 'assistant' && !m.content)) continue;
    parts.push(`**${m.role === 'user' ? labels.you : labels.assistant}:**`, m.content);
  }
  const data = { ...c, messages: c.messages.map((m) => (m.pending ? { ...m, pending: false } : m)), format: CONVERSATION_FORMAT };
  parts.push('---', `${DATA_START}${commentSafeJson(data)}${DATA_END}`);
  return `${parts.join('\n\n')}\n`;
}

function notAnExport(): TritError {
  return new TritError(
    'bad_request',
    'This file is not a chat saved by Trit, or part of it is missing.',
    'Pick a Markdown file that Trit saved with "Save as Markdown", unchanged.',
  );
}

/** The chat a Trit Markdown export holds. */
export function fromMarkdown(text: string): Conversation {
  const start = text.lastIndexOf(DATA_START);
  const end = start < 0 ? -1 : text.indexOf(DATA_END, start + DATA_START.length);
  if (start < 0 || end < 0) throw notAnExport();
  let raw: unknown;
  try {
    raw = JSON.parse(text.slice(start + DATA_START.length, end));
  } catch {
    throw notAnExport();
  }
  const c = migrateConversation(raw);
  if (!c || c.messages.length === 0) throw notAnExport();
  return c;
}

/** A standalone page for printing: the title, the instructions, each turn, nothing of the app around it. */
export function toPrintablePage(c: Conversation, labels: ExportLabels, lang: string, dir: string): string {
  const turns = c.messages
    .filter((m) => !m.pending && (m.role === 'user' || m.content))
    .map((m) => {
      const body = m.role === 'user' ? `<p class="q">${escapeHtml(m.content).replace(/\n/g, '<br>')}</p>` : renderMarkdown(m.content);
      return `<section class="${m.role}"><h2>${escapeHtml(m.role === 'user' ? labels.you : labels.assistant)}</h2>${body}</section>`;
    })
    .join('\n');
  const instructions = c.systemPrompt?.trim()
    ? `<p class="instructions"><strong>${escapeHtml(labels.instructions)}:</strong> ${escapeHtml(c.systemPrompt.trim())}</p>`
    : '';
  return `<!doctype html>
<html lang="${escapeHtml(lang)}" dir="${dir === 'rtl' ? 'rtl' : 'ltr'}"><head><meta charset="utf-8"><title>${escapeHtml(c.title)}</title>
<style>
body { font: 12pt/1.5 system-ui, sans-serif; color: #000; background: #fff; max-width: 42rem; margin: 1.5rem auto; padding: 0 1rem; }
h1 { font-size: 18pt; margin: 0 0 0.75rem; } h2 { font-size: 10pt; text-transform: uppercase; letter-spacing: 0.05em; color: #444; margin: 0 0 0.25rem; }
section { break-inside: avoid; margin: 0 0 1rem; padding: 0 0 0.75rem; border-bottom: 1px solid #ccc; }
.q { font-weight: 600; } .instructions { font-style: italic; }
pre { white-space: pre-wrap; background: #f4f4f4; padding: 0.5rem; } code { font-family: ui-monospace, monospace; }
table { border-collapse: collapse; } td, th { border: 1px solid #999; padding: 0.2rem 0.4rem; }
@page { margin: 1.5cm; }
</style></head>
<body><h1>${escapeHtml(c.title)}</h1>${instructions}
${turns}
</body></html>`;
}
