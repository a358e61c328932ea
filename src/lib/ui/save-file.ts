/**
 * Saves an exported model to the device. The File System Access picker streams the blob to disk (no copy in
 * memory) and lets the user pick a USB stick or SD card directly; elsewhere a plain download link is used, which
 * browsers also stream from the disk-backed blob.
 */
export async function saveFile(blob: Blob, fileName: string, opts: { usePicker?: boolean } = {}): Promise<'picker' | 'download' | 'cancelled'> {
  type PickerWindow = Window & {
    showSaveFilePicker?: (o: { suggestedName: string; types?: unknown[] }) => Promise<FileSystemFileHandle>;
  };
  const w = window as PickerWindow;
  if (opts.usePicker !== false && typeof w.showSaveFilePicker === 'function') {
    let handle: FileSystemFileHandle;
    try {
      handle = await w.showSaveFilePicker({ suggestedName: fileName });
    } catch (e) {
      if ((e as { name?: string }).name === 'AbortError') return 'cancelled';
      throw e;
    }
    const writable = await handle.createWritable();
    await blob.stream().pipeTo(writable);
    return 'picker';
  }
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The browser has taken its own reference once the download starts; revoking later frees the URL.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return 'download';
}
