import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // Constants folded across modules, as the CPU and kernel bundles are (see cpu-i386/tsup.config.ts).
  minifySyntax: true,
});
