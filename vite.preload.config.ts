import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// Electron runs the preload sandboxed: CommonJS, one file, and `require` of 'electron' only
// (no relative files, no node_modules). So it is bundled, not compiled file by file.
export default defineConfig({
  build: {
    outDir: fileURLToPath(new URL('./dist/preload', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    minify: false,
    target: 'chrome130',
    lib: {
      entry: fileURLToPath(new URL('./src/preload/index.ts', import.meta.url)),
      formats: ['cjs'],
      fileName: () => 'index.cjs',
    },
    rollupOptions: { external: ['electron'] },
  },
});
