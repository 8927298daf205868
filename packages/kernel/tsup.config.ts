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
});
