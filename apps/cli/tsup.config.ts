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
  // --v8-pool-size=1: the guest runs on the main thread, and one worker thread keeps up with V8's background
  // work (optimizing kmOS's JS, tiering up WebAssembly regions, marking the heap). Node's default of four made
  // them take turns with the main thread on a two-core machine: 50 busybox pipelines took 2.1 s instead of 1.7,
  // fork+exec+wait ~1,250 us instead of ~900. The root package.json's `kmos` script runs this file itself.
  banner: {
    js: "#!/usr/bin/env -S node --v8-pool-size=1\nimport { createRequire as kmosCreateRequire } from 'node:module';\nconst require = kmosCreateRequire(import.meta.url);",
  },
});
