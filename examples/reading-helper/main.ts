/**
 * The reading helper: built only on trit-web's public API (createTrit, isolatePage and their types), as any web
 * page would use it. Download a model, load it, and ask for a passage to be explained, streamed, with a Stop button.
 */
import { createTrit, isolatePage, TritError, type ModelView, type Trit } from 'trit-web';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  engine: $('engine'),
  url: $<HTMLInputElement>('url'),
  sha: $<HTMLInputElement>('sha'),
  download: $<HTMLButtonElement>('download'),
  progress: $<HTMLProgressElement>('progress'),
  models: $<HTMLSelectElement>('models'),
  load: $<HTMLButtonElement>('load'),
  modelStatus: $('model-status'),
  passage: $<HTMLTextAreaElement>('passage'),
  length: $<HTMLInputElement>('length'),
  same: $<HTMLInputElement>('same'),
  passageSize: $('passage-size'),
  explain: $<HTMLButtonElement>('explain'),
  continue: $<HTMLButtonElement>('continue'),
  stop: $<HTMLButtonElement>('stop'),
  answer: $('answer'),
  answerStatus: $('answer-status'),
};

/** A plain sentence for the person, with the library's hint (what to do next). */
function say(where: HTMLElement, e: unknown): void {
  where.classList.add('error');
  where.textContent = e instanceof TritError ? `${e.message} ${e.hint}` : String(e);
}

async function showModels(trit: Trit, select?: string): Promise<void> {
  const ready = (await trit.models.list()).filter((m: ModelView) => m.state === 'ready');
  ui.models.replaceChildren(...ready.map((m) => new Option(`${m.name} (${(m.sizeBytes! / 1e6).toFixed(1)} MB)`, m.id, false, m.id === select)));
  ui.load.disabled = ready.length === 0;
}

async function main(): Promise<void> {
  // Threads need cross-origin isolation; on a host without the headers the service worker provides it (one reload).
  if ((await isolatePage('./isolation-sw.js')) === 'reloading') return;
  const trit = await createTrit();
  const s = trit.status;
  ui.engine.textContent = s.build === 'threaded'
    ? `Engine ready: ${s.threads} threads.`
    : `Engine ready on one thread. ${s.singleThreadReason ?? ''}`;
  ui.engine.dataset.build = s.build;
  ui.download.disabled = false;
  await showModels(trit);

  ui.download.onclick = async () => {
    ui.download.disabled = true;
    ui.progress.hidden = false;
    ui.modelStatus.classList.remove('error');
    ui.modelStatus.textContent = 'Downloading…';
    try {
      const model = await trit.models.download(ui.url.value.trim(), {
        sha256: ui.sha.value.trim() || undefined,
        onProgress: (p) => { ui.progress.value = p.fraction; },
      });
      ui.modelStatus.textContent = `${model.name} is on this device.`;
      await showModels(trit, model.id);
    } catch (e) {
      say(ui.modelStatus, e);
    } finally {
      ui.download.disabled = false;
      ui.progress.hidden = true;
    }
  };

  ui.load.onclick = async () => {
    ui.load.disabled = true;
    ui.modelStatus.classList.remove('error');
    ui.modelStatus.textContent = 'Loading…';
    try {
      const info = await trit.load(ui.models.value);
      ui.modelStatus.textContent = `${info.name} is loaded (${info.nCtx}-token context).`;
      ui.explain.disabled = ui.continue.disabled = false;
      await showPassageSize();
    } catch (e) {
      say(ui.modelStatus, e);
    } finally {
      ui.load.disabled = false;
    }
  };

  /** How much of the model's context the passage takes, in its own tokens. */
  async function showPassageSize(): Promise<void> {
    if (!trit.model) return;
    const tokens = await trit.tokenize(ui.passage.value, { addBos: false });
    ui.passageSize.textContent = `The passage is ${tokens.length} tokens long; the model reads up to ${trit.model.nCtx}.`;
    ui.passageSize.dataset.tokens = String(tokens.length);
  }
  ui.passage.oninput = () => void showPassageSize().catch((e) => say(ui.passageSize, e));

  let stopper: AbortController | undefined;
  ui.stop.onclick = () => stopper?.abort();

  /** Streams one answer into the page: an explanation (chat) or the story carried on (text continuation). */
  async function write(stream: (signal: AbortSignal, maxTokens: number) => AsyncIterable<{ text: string; finish: string | null }>) {
    stopper = new AbortController();
    ui.explain.disabled = ui.continue.disabled = true;
    ui.stop.disabled = false;
    ui.answer.textContent = '';
    ui.answerStatus.classList.remove('error');
    ui.answerStatus.textContent = 'Writing…';
    let finish: string | null = null;
    try {
      for await (const piece of stream(stopper.signal, Math.max(1, Math.floor(Number(ui.length.value) || 200)))) {
        ui.answer.textContent += piece.text;
        finish = piece.finish ?? finish;
      }
      ui.answerStatus.textContent = finish === null ? 'Stopped.' : finish === 'length' ? 'Done (cut at the length limit).' : 'Done.';
    } catch (e) {
      say(ui.answerStatus, e);
    } finally {
      ui.explain.disabled = ui.continue.disabled = false;
      ui.stop.disabled = true;
    }
  }

  ui.explain.onclick = () => write(async function* (signal, maxTokens) {
    const chunks = await trit.chat.completions.create({
      messages: [
        { role: 'system', content: 'You help children read. Explain the passage in two short, simple sentences.' },
        { role: 'user', content: ui.passage.value },
      ],
      temperature: ui.same.checked ? 0 : 0.7,
      max_tokens: maxTokens,
      stream: true,
      signal,
    });
    for await (const c of chunks) yield { text: c.choices[0].delta.content ?? '', finish: c.choices[0].finish_reason };
  });

  // Base models have no chat format: they carry a text on, which suits a story.
  ui.continue.onclick = () => write(async function* (signal, maxTokens) {
    const chunks = await trit.completions.create({ prompt: ui.passage.value, temperature: ui.same.checked ? 0 : 0.8, max_tokens: maxTokens, stream: true, signal });
    for await (const c of chunks) yield { text: c.choices[0].text, finish: c.choices[0].finish_reason };
  });
}

main().catch((e) => say(ui.engine, e));
