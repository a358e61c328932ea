/**
 * The one type the classroom share (`src/server/share-models.ts`) and the app (`classroom.ts`) both speak: what a
 * share says of one model at GET /<id>, before any of its bytes are fetched.
 */
export interface ShareManifest {
  format: 'trit-share/1';
  id: string;
  name: string;
  fileName: string;
  size: number;
  sha256: string;
  architecture: string;
  parameters: number;
  /** The file, relative to the manifest's own address. */
  url: string;
}
