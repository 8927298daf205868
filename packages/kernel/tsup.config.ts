import { defineConfig } from 'tsup';
import { writeConfigValidator } from './scripts/gen-config-validator.mjs';

// The config schema's validator is generated code (src/generated/config-validator.ts): regenerate it before
// bundling, so a build always ships the validator of the schema it ships.
writeConfigValidator();

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // Bundled, not required at run time: Node resolves and compiles semver's ~45 CommonJS files one by one,
  // ~25 ms of every kmos start.
  noExternal: ['semver', 'json-source-map'],
  // Folds constants across modules (errno values, struct offsets, flag bits): an exported `const` read by a
  // syscall is otherwise a load from its module's context and a tag check per use.
  minifySyntax: true,
});
