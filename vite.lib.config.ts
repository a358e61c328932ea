/**
 * The library build (npm run build:lib): src/lib/sdk as one ES module, packages/trit/dist/trit.js, with the engine's
 * worker, its wasm builds and their pthread glue as files beside it (found through import.meta.url, so a bundler
 * copies them and a plain static host serves them). It is Vite's library mode in all but name: `build.lib` would
 * inline every wasm build as base64 (a third larger, and refused by pages whose CSP blocks data: URLs), so the entry
 * is given to Rolldown directly with its exports kept. Type declarations come from tsc (tsconfig.lib.json).
 */
import { defineConfig, type Plugin } from 'vite';

/**
 * Vite writes a file reference as `new URL(new URL("assets/x.js", import.meta.url).href, "" + import.meta.url)`.
 * The embedding app's bundler must see the plain `new URL("./assets/x.js", import.meta.url)` instead: only then does
 * it treat `new Worker(new URL(...))` as a worker to bundle (following the worker's own imports, wasm files and
 * pthread scripts) rather than one opaque file to copy, whose imports would then be missing.
 */
function plainFileUrls(): Plugin {
  const wrapped = /new URL\(\s*(?:\/\*\s*@vite-ignore\s*\*\/\s*)?new URL\(\s*"([^"]+)",\s*import\.meta\.url\s*\)\.href,\s*"" \+ import\.meta\.url\s*\)/g;
  return {
    name: 'trit-plain-file-urls',
    renderChunk(code) {
      return code.replace(wrapped, (_, path: string) => `new URL(${JSON.stringify(path.startsWith('.') ? path : `./${path}`)}, import.meta.url)`);
    },
  };
}

export default defineConfig({
  // Nothing from public/ (icons, the demo model) belongs in the package.
  publicDir: false,
  // Every file is found relative to trit.js, wherever the embedding page serves it from.
  base: './',
  worker: { format: 'es', plugins: () => [plainFileUrls()] },
  plugins: [plainFileUrls()],
  build: {
    target: 'es2022',
    outDir: 'packages/trit/dist',
    emptyOutDir: true,
    sourcemap: false,
    copyPublicDir: false,
    // Left readable: the embedding app's bundler minifies it with everything else.
    minify: false,
    rollupOptions: {
      input: { trit: 'src/lib/sdk/index.ts' },
      preserveEntrySignatures: 'strict',
      output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'assets/[name]-[hash].js', assetFileNames: 'assets/[name]-[hash][extname]' },
    },
  },
});
