import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // Folds constants, across modules too: an exported `const W_OPS = 1` read in the decoded tier's loop was
  // otherwise, per use, a load from its module's context, a tag check and an overflow check (perf annotate).
  minifySyntax: true,
});
