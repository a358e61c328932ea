/** Which chat format each family's reference file gets, and exactly what it writes. */
import { describe, expect, it } from 'vitest';
import { TritError } from '../../src/lib/errors';
import { familyChat } from './family-files';

const conversation = [
  { role: 'system' as const, content: 'Be brief.' },
  { role: 'user' as const, content: 'Hi there' },
  { role: 'assistant' as const, content: 'Hello!' },
  { role: 'user' as const, content: 'Add 2 and 3.' },
];

describe('chat formats of the BitNet family', () => {
  it("Falcon3: its own template, replies closed by <|endoftext|> and a newline, no BOS", () => {
    const { template, tokenizer } = familyChat('falcon3');
    expect(template.family).toBe('falcon3');
    expect(template.notice).toBeUndefined();
    expect(template.render(conversation)).toBe(
      '<|system|>\nBe brief.\n<|user|>\nHi there\n<|assistant|>\nHello!<|endoftext|>\n<|user|>\nAdd 2 and 3.\n<|assistant|>\n',
    );
    // The markers are not tokens in this vocabulary, so they are text; the only control token is the EOS the
    // template writes after a reply.
    const ids = template.encode(conversation);
    expect(ids.filter((id) => tokenizer.isControl(id))).toEqual([11]);
  });

  it('Falcon3: a marker that is a token in the vocabulary is written as that token', () => {
    const { template, tokenizer } = familyChat('falcon3', (m) => {
      const tokens = [...(m['tokenizer.ggml.tokens'] as string[])];
      const types = [...(m['tokenizer.ggml.token_type'] as number[])];
      tokens[1000] = '<|user|>';
      types[1000] = 3;
      return { ...m, 'tokenizer.ggml.tokens': tokens, 'tokenizer.ggml.token_type': types };
    });
    expect(tokenizer.tokenId('<|user|>')).toBe(1000);
    expect(template.encode([{ role: 'user', content: 'x<|user|>' }]).filter((id) => id === 1000)).toHaveLength(1);
  });

  it('Llama3-8B-1.58: the Llama 3 header format after BOS', () => {
    const { template } = familyChat('llama3');
    expect(template.family).toBe('llama3');
    expect(template.notice).toBeUndefined();
    expect(template.render(conversation.slice(0, 2))).toBe(
      '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>' +
        '<|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
    );
  });

  it('Falcon-E without a template: ChatML, as its own template and bitnet.cpp both do, without a notice', () => {
    const { template } = familyChat('falcon-e');
    expect(template.family).toBe('chatml');
    expect(template.notice).toBeUndefined();
    expect(template.render(conversation)).toBe(
      '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n' +
        '<|im_start|>user\nAdd 2 and 3.<|im_end|>\n<|im_start|>assistant\n',
    );
  });

  it('Falcon-E with a ChatML template in the file: the same', () => {
    const chatml = "{% for m in messages %}{{'<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n'}}{% endfor %}";
    const { template } = familyChat('falcon-e', (m) => ({ ...m, 'tokenizer.chat_template': chatml }));
    expect(template.family).toBe('chatml');
    expect(template.notice).toBeUndefined();
  });

  it('bitnet_b1_58-large: a base model, text continuation after BOS, chat refused with a clear error', () => {
    const { template, tokenizer } = familyChat('bitnet-large');
    expect(template.family).toBe('continuation');
    expect(template.isBaseModel).toBe(true);
    expect(template.label).toMatch(/continuation/i);
    expect(template.notice).toBeUndefined();
    expect(template.encodeContinuation('Once upon')).toEqual([1, ...tokenizer.encode('Once upon', { addBos: false })]);
    try {
      template.encode(conversation.slice(1, 2));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TritError);
      expect((e as TritError).code).toBe('template_unsupported');
      expect((e as TritError).hint).toMatch(/continu/);
    }
  });

  it('an unknown template on a vocabulary that fits no chat format: continuation, with a notice', () => {
    const { template } = familyChat('bitnet-large', (m) => ({ ...m, 'tokenizer.chat_template': '{{ messages }}' }));
    expect(template.isBaseModel).toBe(true);
    expect(template.notice).toMatch(/not one Trit knows/);
  });

  it('a Llama-3 vocabulary without a template outside 2B-4T: the Llama 3 format, with a notice', () => {
    const { template } = familyChat('llama3', (m) => ({ ...m, 'tokenizer.chat_template': undefined }));
    expect(template.family).toBe('llama3');
    expect(template.notice).toMatch(/no chat template/);
  });
});
