import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/main.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // Constants folded across modules, as the CPU and kernel bundles are (see cpu-i386/tsup.config.ts).
  minifySyntax: true,
  // Bundled, not required at run time: its CommonJS files are resolved and compiled one by one at every start.
  // Its own `require` of Node's modules (events, child_process, ...) needs a `require` in this ES module.
  noExternal: ['commander'],
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as kmosCreateRequire } from 'node:module';\nconst require = kmosCreateRequire(import.meta.url);",
  },
});
