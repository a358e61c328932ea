/**
 * The falcon3 / falcon_e pre-tokenizer has no published vectors; these cases follow from its three rules, applied one
 * after the other (docs/bitnet-family.md section 7): punctuation runs, then GPT-2's rules, then every digit alone.
 */
import { describe, expect, it } from 'vitest';
import { PreTokenizer } from '../../src/lib/tokenizer/pretokenizer';
import { Tokenizer } from '../../src/lib/tokenizer';
import { TritError } from '../../src/lib/errors';
import { readGgufMetadata } from './gguf-metadata';

const falcon = new PreTokenizer('falcon3');
const llama3 = new PreTokenizer('llama3');

describe('falcon3 / falcon_e pre-tokenizer', () => {
  it.each([
    // Digits one by one (Llama 3 groups them by three, the older falcon pre-tokenizer too).
    ['12345', ['1', '2', '3', '4', '5']],
    // The space before a number is left on its own once the digits split off.
    [' 2024 was', [' ', '2', '0', '2', '4', ' was']],
    ['3.14', ['3', '.', '1', '4']],
    // Punctuation runs come first, whole, and never take a space with them.
    ['Hello, world!!!', ['Hello', ',', ' world', '!!!']],
    ['wait...?!', ['wait', '...?!']],
    ['¿Qué? «Sí»', ['¿', 'Qué', '?', ' ', '«', 'Sí', '»']],
    // Symbols the first rule names besides \p{P}: $ + < = > ^ ~ | and the backtick.
    ['a+b=c', ['a', '+', 'b', '=', 'c']],
    ['$100', ['$', '1', '0', '0']],
    ['x<y>z^w~v|u`t', ['x', '<', 'y', '>', 'z', '^', 'w', '~', 'v', '|', 'u', '`', 't']],
    // Other symbols are not punctuation: GPT-2's third rule takes them with their leading space.
    [' ©®', [' ©®']],
    // Apostrophes are punctuation, so contractions split before GPT-2's 's|'t rules could see them.
    ["I'm sure it's", ['I', "'", 'm', ' sure', ' it', "'", 's']],
    // Spaces: one space goes with the following letters; a run of spaces leaves its last for the word.
    ['  hello', [' ', ' hello']],
    ['a   b', ['a', '  ', ' b']],
    ['end  ', ['end', '  ']],
    ['x\n\ny', ['x', '\n', '\n', 'y']],
  ])('splits %j', (text, pieces) => {
    expect(falcon.split(text)).toEqual(pieces);
    expect(falcon.split(text).join('')).toBe(text);
  });

  it('differs from the Llama-3 rules that upstream llama.cpp uses for "falcon3"', () => {
    expect(llama3.split('12345')).toEqual(['123', '45']);
    expect(llama3.split("I'm")).toEqual(['I', "'m"]);
  });

  it.each(['falcon3', 'falcon-e'])("is what the %s reference file's tokenizer uses, digits one token each", (name) => {
    const tok = Tokenizer.fromGGUFMetadata(readGgufMetadata(new URL(`../fixtures/family/${name}.gguf`, import.meta.url)));
    expect(tok.preTokenizer).toBe('falcon3');
    const ids = tok.encode('x = 2024;', { addBos: false });
    expect(ids.map((id) => tok.decode([id]))).toEqual(['x', ' ', '=', ' ', '2', '0', '2', '4', ';']);
  });

  it('refuses an unknown pre-tokenizer with a typed error that names it', () => {
    const meta = readGgufMetadata(new URL('../fixtures/family/falcon3.gguf', import.meta.url));
    try {
      Tokenizer.fromGGUFMetadata({ ...meta, 'tokenizer.ggml.pre': 'falcon-h1' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TritError);
      expect((e as TritError).code).toBe('tokenizer_unsupported');
      expect((e as TritError).message).toContain('"falcon-h1"');
    }
    // A name that happens to be an Object property is still unknown.
    expect(() => Tokenizer.fromGGUFMetadata({ ...meta, 'tokenizer.ggml.pre': 'constructor' })).toThrow(/"constructor"/);
  });
});
