// vitest `setupFiles` entry (runs in the worker before every test file): fast-check uses the seed that
// property-seed.ts chose for the run. Under a config without that global setup, fast-check keeps its default.
import fc from 'fast-check';
import { inject } from 'vitest';
import './property-seed.js'; // for the ProvidedContext declaration of `propertySeed`

const seed = inject('propertySeed');
if (seed !== undefined) fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
