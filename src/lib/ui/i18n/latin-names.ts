/**
 * Words that stay in Latin letters in every language because they are names or data, not prose: the app, model
 * families and makers, formats and technical identifiers, the demo model's practised English questions. The tests
 * that keep English out of the Arabic and Hindi UI allow these and nothing else.
 */
export const LATIN_NAMES: readonly string[] = [
  'What can you do?', 'What is 7 plus 5?', 'BitNet b1.58 2B-4T', 'Falcon-E 1B Instruct', 'Falcon-E 3B Instruct',
  'Trit demo model', 'System:/User:/Assistant:', 'relaxed SIMD', 'SIMD', 'top-p', 'Trit', 'BitNet', 'Microsoft', 'TII',
  '2B-4T', 'trit-demo', 'GGUF', 'gguf', 'Safari', 'QR', 'USB', 'Markdown', 'md', 'sha256',
  // Number formats of the engine's memory options, shown behind "Technical details".
  'f16', 'int8', 'int6', 'int4',
  // The ternary kernel's identifiers (EngineStatus.i2sKernel), shown there too.
  'relaxed-dot-add', 'relaxed-dot', 'table',
];

/** The text with every allowed name and byte unit taken out, longest first ("relaxed SIMD" before "SIMD"). */
export function withoutLatinNames(text: string, extra: readonly string[] = []): string {
  // Byte units after a number are SI symbols, which Hindi writes in Latin letters too (Intl's own choice).
  let rest = text.replace(/\d\s?(kB|MB|GB|TB)\b/g, ' ');
  for (const name of [...LATIN_NAMES, ...extra].sort((a, b) => b.length - a.length)) rest = rest.split(name).join(' ');
  return rest;
}
