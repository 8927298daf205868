// Differential tests of lea over every addressing mode; the forms are generated in groups/lea.ts.
import { defineDifferentialGroups } from './differential.js';
import { leaGroups } from './groups/lea.js';

defineDifferentialGroups('lea', leaGroups);
