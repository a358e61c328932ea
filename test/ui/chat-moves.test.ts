/**
 * Moving between chats while the store is slow: the person's last move wins. Seen in WebKit under load: a chat tapped
 * in the history, then "New chat" before the chat's read finished, and the next question went into the old chat.
 */
import { describe, expect, it } from 'vitest';
import { AppState } from '../../src/lib/ui/app-state.svelte';
import { MemoryKeyValueStore } from '../../src/lib/ui/kv';
import { createConversation, type Conversation } from '../../src/lib/ui/conversations';
import type { Settings } from '../../src/lib/ui/settings';
import type { EngineClient } from '../../src/lib/engine/client';

/** A conversation store whose reads wait until the test lets them go. */
class SlowStore extends MemoryKeyValueStore<Conversation> {
  private held: Array<() => void> = [];
  private open = false;
  override async get(key: string): Promise<Conversation | undefined> {
    if (!this.open) await new Promise<void>((go) => this.held.push(go));
    return super.get(key);
  }
  /** Lets every read go, the held ones in the order asked for or (newestFirst) the other way round. */
  release(newestFirst = false): void {
    this.open = true;
    const held = this.held.splice(0);
    for (const go of newestFirst ? held.reverse() : held) go();
  }
}

/** An app over a slow store holding one saved chat per title (no engine is started: the client only has to exist). */
async function appWithChats(...titles: string[]): Promise<{ app: AppState; store: SlowStore; chats: Conversation[] }> {
  const store = new SlowStore();
  const chats = titles.map((title, i) => createConversation(i + 1, title));
  for (const c of chats) await store.set(c.id, c);
  const client = { crashed: new Promise<string>(() => undefined) } as unknown as EngineClient;
  const app = new AppState({ storage: { settings: new MemoryKeyValueStore<Settings>(), conversations: store }, createClient: () => client });
  return { app, store, chats };
}

describe('moving between chats', () => {
  it('"New chat" after tapping a chat whose read has not finished stays in the new chat', async () => {
    const { app, store, chats: [old] } = await appWithChats('What is 7 plus 5?');
    const opening = app.openConversation(old!.id);
    app.newConversation();
    store.release();
    await opening;
    expect(app.current).toBeUndefined();
  });

  it('a chat tapped while another read is pending is the one shown, whichever read finishes first', async () => {
    const { app, store, chats: [a, b] } = await appWithChats('A', 'B');
    const first = app.openConversation(a!.id);
    const second = app.openConversation(b!.id);
    await Promise.resolve(); // both reads are now waiting in the store
    store.release(true);
    await Promise.all([first, second]);
    expect(app.current?.id).toBe(b!.id);
  });

  it('a chat opened normally is shown', async () => {
    const { app, store, chats: [a] } = await appWithChats('A');
    const opening = app.openConversation(a!.id);
    store.release();
    await opening;
    expect(app.current?.id).toBe(a!.id);
  });
});
