// Differential tests of the x87 FPU; the forms are generated in groups/x87.ts.
import { defineDifferentialGroups } from './differential.js';
import { x87Groups } from './groups/x87.js';

defineDifferentialGroups('x87', x87Groups);
