/**
 * A GGUF file's header read from disk (Node): 1 MiB first, then four times more while the header runs past the
 * buffer, up to the whole file or 64 MiB. Shared by the classroom share (src/server/share-models.ts) and the
 * benchmark's native peer (bench/llama-cpp/).
 */
import type { FileHandle } from 'node:fs/promises';
import { readGguf, type GgufFile } from './reader';

/** Headers larger than this are not models (2B-4T's is about 8 MB, mostly its vocabulary). */
export const GGUF_HEADER_LIMIT = 64 << 20;

/** The header of the open GGUF file `fh` of `size` bytes; throws what readGguf throws for a file that is not one. */
export async function readGgufHeader(fh: FileHandle, size: number): Promise<GgufFile> {
  for (let n = Math.min(size, 1 << 20); ; n = Math.min(size, n * 4)) {
    const buf = new Uint8Array(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    try {
      return readGguf(buf.subarray(0, bytesRead));
    } catch (e) {
      // A read past the end of the buffer means the header is longer: read more, up to the whole file.
      if (!(e instanceof RangeError) || n >= size || n >= GGUF_HEADER_LIMIT) throw e;
    }
  }
}
