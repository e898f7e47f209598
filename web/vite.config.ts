import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Preact's JSX through esbuild's automatic runtime: no framework plugin (and no Babel) needed.
// biome-ignore lint/style/noDefaultExport: Vite reads the configuration from the default export.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  logLevel: 'warn',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 2_500,
  },
  worker: { format: 'es' },
});
