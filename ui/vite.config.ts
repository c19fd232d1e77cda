/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { gazetteerPlugin } from './gazetteer-plugin.ts';

export default defineConfig({
  plugins: [gazetteerPlugin()],
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  // Tauri serves the files itself: relative paths, no dev-server assumptions.
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
  },
  server: { port: 5173, strictPort: true },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
  },
});
