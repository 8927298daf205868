// Differential tests of shifts, rotates and double shifts; the forms are generated in groups/shifts.ts.
import { defineDifferentialGroups } from './differential.js';
import { shiftGroups } from './groups/shifts.js';

defineDifferentialGroups('shifts', shiftGroups);
