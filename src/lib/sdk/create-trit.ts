/**
 * createTrit: starts the engine's worker (threaded when the page is cross-origin isolated, single-thread otherwise),
 * opens the model store, and returns the library's one object.
 */
import * as Comlink from 'comlink';
import pLimit from 'p-limit';
import { createEngineClient, startEngineWithin } from '../engine/client';
import type { LoadProgress, ModelFileCheck, ModelInfo } from '../engine/protocol';
import { createModelStore } from '../store';
import { chatCompletions, noModel, textCompletions, type CompletionContext } from './completions';
import { engineLifeline } from './engine-lifeline';
import { guarded, modelsApi } from './models';
import type { Trit, TritOptions } from './types';

/**
 * Starts the engine in its own worker and opens the model store. Resolves when the engine is ready (about a second);
 * rejects with a TritError ('timeout') if it does not start within a minute.
 *
 * @example
 * const trit = await createTrit({ onProgress: (p) => console.log(p) });
 * const model = await trit.models.download('https://example.org/model.gguf', { sha256 });
 * await trit.load(model.id);
 * for await (const chunk of await trit.chat.completions.create({ messages, stream: true })) {
 *   out.textContent += chunk.choices[0].delta.content ?? '';
 * }
 */
export async function createTrit(options: TritOptions = {}): Promise<Trit> {
  const client = createEngineClient();
  const { api } = client;
  const { alive } = engineLifeline(client);
  let status = await startEngineWithin(client);
  if (options.threads !== undefined) status = await api.setThreads(options.threads);
  const store = createModelStore({
    catalogue: options.catalogue ?? [],
    // The engine's own GGUF reader decides whether a stored file is a model it can run.
    inspect: (head, size) => alive<ModelFileCheck>(api.checkModelFile(head, size)),
  });
  // Loads and replies take turns: the engine runs one long call at a time.
  const turn = pLimit(1);
  const onProgress = guarded(options.onProgress);
  let loaded: { modelId: string; info: ModelInfo } | undefined;

  const ctx: CompletionContext = {
    api,
    turn,
    alive,
    loaded() {
      if (!loaded) throw noModel();
      return { modelId: loaded.modelId, nCtx: loaded.info.nCtx };
    },
  };

  return {
    get status() {
      return status;
    },
    models: modelsApi(store, (p) => onProgress({ kind: 'store', ...p })),
    async load(modelId, opts = {}) {
      return turn(async () => {
        loaded = undefined;
        const own = guarded(opts.onProgress);
        const info = await alive(api.loadModel({ kind: 'stored', modelId }, { nCtx: opts.nCtx }, Comlink.proxy((p: LoadProgress) => {
          onProgress({ kind: 'load', modelId, ...p });
          own(p);
        })));
        loaded = { modelId, info };
        return info;
      });
    },
    async unload() {
      await turn(() => alive(api.unloadModel()));
      loaded = undefined;
    },
    get model() {
      return loaded?.info;
    },
    chat: { completions: chatCompletions(ctx) },
    completions: textCompletions(ctx),
    async tokenize(text, opts) {
      if (!loaded) throw noModel();
      return alive(api.tokenize(text, opts));
    },
    dispose() {
      client.terminate();
    },
  };
}
