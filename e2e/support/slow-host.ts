/**
 * The model host of the app's download journeys, for what a person meets on real networks: a slow link (so a
 * download can be paused half-way), a dropped connection, a link to a web page, a missing file. The shared host
 * (hosts.ts) serving:
 *   /model.gguf    the file, with Range, sent in 64 KiB pieces every `pieceMs`
 *   /page.gguf     a web page (as a login wall or a "file not found" page answers)
 *   anything else  404
 */
import { startModelHost, type ModelHost } from './hosts';

export type SlowHost = Pick<ModelHost, 'origin' | 'pieceMs' | 'sentBytes' | 'cut' | 'close'>;

/** `port` 0 picks a free one; pass an earlier host's port to bring the same host back after close(). */
export function startSlowHost(file: string, pieceMs = 0, port = 0): Promise<SlowHost> {
  return startModelHost({ files: { 'model.gguf': file }, webPages: ['page.gguf'], pieceMs, port });
}
