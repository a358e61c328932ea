/**
 * Every piece of text the UI shows, in one place, so the app can be translated by swapping this table.
 * Placeholders are written {name} and filled by `fill()`. Translations live in i18n/, one file per language.
 */
import { locale } from './i18n/locale';
import { formatMessage, type MessageParams } from './i18n/message';
import { TRANSLATIONS } from './i18n/translations';

export const en = {
  appTagline: 'Private AI on this device. Nothing you type leaves it.',
  skipToChat: 'Skip to the chat',

  // Header and navigation
  chats: 'Chats',
  models: 'Models',
  settings: 'Settings',
  device: 'This device',
  close: 'Close',
  offline: 'Offline',
  offlineLong: 'You are offline. Chat keeps working with the models on this device.',
  install: 'Install app',
  iosInstallTitle: 'Add Trit to your Home Screen',
  iosInstallSteps: 'Tap the Share button in Safari, then "Add to Home Screen". Trit then opens like an app and works offline.',
  dismiss: 'Dismiss',
  updateReady: 'A new version of Trit is ready.',
  updateNow: 'Update now',
  offlineReady: 'Trit is saved on this device and now works offline.',

  // Conversations
  newChat: 'New chat',
  noConversations: 'No saved chats yet.',
  untitled: 'New chat',
  rename: 'Rename',
  renameLabel: 'New name for "{title}"',
  save: 'Save',
  cancel: 'Cancel',
  delete: 'Delete',
  deleteConversationConfirm: 'Delete the chat "{title}"?',
  clearAll: 'Delete all chats',
  clearAllConfirm: 'Delete {count, plural, one {the one saved chat} other {all {count} saved chats}}? This cannot be undone.',
  conversationActions: 'Actions for "{title}"',

  // Chat
  you: 'You',
  assistant: 'Trit',
  composerLabel: 'Message',
  composerPlaceholder: 'Ask something…',
  composerPlaceholderNoModel: 'Load a model to start chatting',
  send: 'Send',
  stop: 'Stop',
  regenerate: 'Regenerate',
  copy: 'Copy',
  copied: 'Copied',
  copyFailed: 'Could not copy. Select the text and copy it by hand.',
  edit: 'Edit',
  editLabel: 'Edit your message',
  editAndResend: 'Send edited',
  emptyChatTitle: 'Start a conversation',
  emptyChatBody: 'Type a question below. Everything runs on this device, even without internet.',
  thinking: 'Thinking…',
  emptyReply: 'The model ended its reply without saying anything. Try asking another way.',
  waitingForEngine: 'Waiting for the engine to finish its previous task…',
  stopped: 'Stopped.',
  stoppedAtMaxTokens: 'Reached the reply length limit (Settings → Maximum reply length).',
  contextFull: 'The conversation is too long for the context size. Start a new chat or raise the context size in Settings.',
  droppedMessages: 'The {count} oldest messages were left out so the conversation fits.',
  replyFailed: 'The reply failed.',

  // Model state
  modelLoading: 'Loading {name}…',
  modelReady: '{name}',
  noModel: 'No model loaded',
  modelLoadFailed: 'Could not load {name}.',
  retry: 'Try again',
  engineCrashed: 'The engine stopped unexpectedly: {message}',
  restartEngine: 'Restart the engine',
  templateNotice: 'Note: {notice}',

  // Model manager
  modelsTitle: 'Models',
  modelSize: 'Download size',
  modelSizeUnknown: 'size shown when the download starts',
  modelMemory: 'Memory needed',
  fitsDevice: 'Fits this device',
  tightFit: 'May be too large for this device',
  doesNotFit: 'Too large for this device',
  fitUnknown: 'This browser does not say how much memory the device has',
  bundled: 'Included with the app, no download needed',
  download: 'Download ({size})',
  pause: 'Pause',
  resume: 'Resume',
  repair: 'Repair',
  verify: 'Check for damage',
  verifyOk: 'All pieces checked: the model is intact.',
  use: 'Use this model',
  inUse: 'In use',
  exportFile: 'Save to a file',
  importFile: 'Add a model from a file',
  importing: 'Adding {name}…',
  addFromUrl: 'Add a model from a web address',
  urlLabel: 'Link to a .gguf file',
  add: 'Add',
  deleteModelConfirm: 'Delete {name} from this device?',
  progressLine: '{done} of {total}',
  speedLine: '{speed}/s, {left} left',
  speedUnknown: 'measuring speed…',
  storageUsed: 'Storage used by this app: {used} of {quota} available.',
  storageUnknown: 'This browser does not report storage use.',
  storagePersistent: 'Storage is persistent: the browser will not clear your models to free space.',
  storageNotPersistent: 'Storage is not persistent: the browser may clear models when the device runs low on space.',
  makePersistent: 'Keep my models',
  storeUnavailable: 'The model store is not available yet in this version of the app.',
  stateDownloading: 'Downloading',
  statePaused: 'Paused',
  statePartial: 'Some pieces are missing',
  stateReady: 'On this device',
  stateError: 'Problem',
  stateNotStored: 'Not downloaded',
  deviceMemory: 'This device reports about {memory} of memory.',

  // Settings
  settingsTitle: 'Settings',
  systemPrompt: 'Instructions for the assistant (system prompt)',
  systemPromptHelp: 'Sent before every conversation. Leave empty for none.',
  temperature: 'Creativity (temperature)',
  temperatureHelp: '0 always picks the most likely word; higher gives more varied answers.',
  topP: 'Word choice breadth (top-p)',
  topPHelp: 'Only the most likely words that add up to this share are considered.',
  maxTokens: 'Maximum reply length (tokens)',
  contextSize: 'Context size (tokens)',
  contextSizeHelp: 'How much of the conversation the model remembers. Larger needs more memory; applies when the model is next loaded.',
  threads: 'Threads',
  threadsHelp: 'Processor cores used. This device has {cores}; the engine can use up to {max}.',
  threadsAuto: 'Automatic ({count})',
  resetDefaults: 'Reset to defaults',
  settingsSaved: 'Saved',
  applyReload: 'Reload the model to apply',

  // Stats
  statsLabel: 'Performance',
  statGeneration: '{rate} tok/s',
  statPrompt: 'prompt {rate} tok/s',
  statFirstToken: 'first token {ms}',
  statMemory: '{memory} in use',
  statThreads: '{count} threads',
  statThread: '1 thread',
  statIsolated: 'isolated',
  statNotIsolated: 'not isolated',
  statsNone: 'Stats appear after the first reply.',
  devGeneration: 'Generation',
  devPrompt: 'Prompt',
  devFirstToken: 'First token',
  devMemory: 'Memory in use',
  devThreads: 'Threads in use',
  tokensPerSecond: '{rate} tok/s',
  promptDetail: '{rate} tok/s ({evaluated} of {total} tokens evaluated)',
  deviceTitle: 'This device',
  crossOriginIsolated: 'Cross-origin isolated',
  yes: 'yes',
  no: 'no',
  loadedModel: 'Loaded model',
  contextInUse: 'Context',
  // The first minutes (issue 14): plain words first, the technical detail one tap away
  details: 'Details',
  demoNote: 'You are trying the small demo model. It knows a few practised questions, such as "What can you do?" or "What is 7 plus 5?", and gets most other things wrong.',
  demoNoteAction: 'Get the real model',
  stoppedBeforeStart: 'Stopped before the reply began.',
  tooLong: 'This message is too long for {name}. It reads about {words} words at a time, counting your instructions in Settings, and this message needs about {need}. Shorten it or send it in parts.',
  tooLongDetail: 'The system prompt and this message take {tokens} tokens; the model\'s context holds {nCtx}.',
  loadFailedBack: 'Could not open {name}. Trit went back to {back}, so you can keep chatting.',
  loadFailedNone: 'Could not open {name}.',
  modelContext: '{name} remembers up to {n} tokens of the conversation (about {words} words), the most it was made for.',
  samplingFor: 'These two apply to {name}; each model keeps its own.',
  resetAsk: 'Reset every setting to its default, including your instructions for the assistant?',
  resetYes: 'Reset',
  slowMode: 'Replies are slower here: Trit can use only one processor core.',
  aboutReply: 'About the last reply',
  plainWriting: 'Writing speed: {rate} word pieces a second',
  plainReading: 'Reading the conversation: {rate} word pieces a second',
  plainFirstWord: 'First word after {ms}',
  plainMemory: 'Memory in use: {memory}',
  plainCores: 'Processor cores used: {count}',
  technicalDetails: 'Technical details',
  privacyNote: 'Trit sends nothing anywhere: no analytics, no fonts or scripts from other sites. It only contacts the model host you choose when you download a model.',
  // Model manager: downloads told truly (issues 14, 15, 21)
  stateInterrupted: 'Interrupted',
  stateStopped: 'Stopped',
  downloadAgain: 'Try again',
  unload: 'Unload',
  integrityChecksum: 'Checked: the file matches the checksum its publisher gives.',
  integrityStructure: 'Checked structure only: no checksum is published for this file, so Trit checked that it is a complete model it can run.',
  integrityNone: 'Not checked yet. Tap "Check for damage".',
  verifyOkPublished: 'All pieces checked: the file still matches its published checksum.',
  deleteCanRedownload: 'You can download it again later ({size}).',
  deleteImported: 'It was added from a file: to use it again you will need that file.',
  deleteUnloadsFirst: 'It is loaded in the chat now; it will be unloaded first.',
  askTitle: 'Download {name}?',
  askNoSpace: 'It needs {size} of storage, and only {free} is free.',
  askNoMemory: 'It needs about {memory} of memory to run; this device has about {device}. It will probably not load here.',
  askMetered: 'This device is on a mobile or metered connection: downloading {size} may use up your data plan.',
  askGo: 'Download anyway',
  persistGranted: 'The browser agreed to keep your models: it will not clear them to free space.',
  persistRefused: 'The browser did not agree to keep your models; it may clear them when space runs low. Installing Trit as an app often helps.',
  persistUnknown: 'The browser did not answer about keeping your models.',
  resumeOfferOne: 'The download of {name} stopped before it finished ({done} of {total} kept).',
  resumeAction: 'Resume download',
  notNow: 'Not now',
  phaseVerifying: 'Checking the file against its published checksum…',
  phaseChecking: 'Checking that the file is a complete model Trit can run…',
  phaseRepairing: 'Fetching again the parts that arrived damaged…',
} as const;

export type StringKey = keyof typeof en;

/** A translation: every key of `en`, so a missing one is a type error (see i18n/). */
export type Strings = Record<StringKey, string>;

/**
 * The active table, in the language the UI speaks now (i18n/locale). Reading `t.key` in a component makes it
 * follow a change of language; a key a translation lacks at run time falls back to English.
 */
export const t: Strings = new Proxy(en as Strings, {
  get: (english, key) => (TRANSLATIONS[locale.code] as Partial<Strings> | undefined)?.[key as StringKey] ?? Reflect.get(english, key),
});

/**
 * Fills {name} placeholders (numbers in the language's digits) and {count, plural, one {...} other {...}} choices;
 * unknown placeholders stay visible so a missing value is noticed, not hidden.
 */
export function fill(template: string, params: MessageParams): string {
  return formatMessage(template, params, locale.tag);
}
