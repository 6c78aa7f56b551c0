import { defineConfig } from 'tsup';

// The console page: one browser bundle (Preact, uPlot and the CSS inside), shipped in dist/console
// so the published program needs no build step. Runs after the main build, which cleans dist/.
export default defineConfig({
  entry: { console: 'src/console/page/main.tsx' },
  outDir: 'dist/console',
  format: ['esm'],
  platform: 'browser',
  target: 'es2020',
  tsconfig: 'tsconfig.page.json',
  dts: false,
  sourcemap: false,
  clean: false,
  minify: true,
  splitting: false,
  noExternal: [/.*/],
  outExtension: () => ({ js: '.js' }),
  esbuildOptions(options) {
    options.jsx = 'automatic';
    options.jsxImportSource = 'preact';
  },
});
