/** What a catalogue model is, in the UI's language; models added from a file keep the words they came with. */
import { t, type StringKey } from '../strings';

const ABOUT: Readonly<Record<string, StringKey>> = {
  'bitnet-b1.58-2b-4t': 'aboutBitnet2b4t',
  'falcon-e-1b-instruct': 'aboutFalconE1b',
  'falcon-e-3b-instruct': 'aboutFalconE3b',
  'trit-demo': 'aboutTritDemo',
};

export function modelDescription(id: string, fallback: string | undefined): string | undefined {
  const key = ABOUT[id];
  return key ? t[key] : fallback;
}
