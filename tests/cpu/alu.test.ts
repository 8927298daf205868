// Differential tests of the ALU instructions; the forms are generated in groups/alu.ts.
import { defineDifferentialGroups } from './differential.js';
import { aluGroups } from './groups/alu.js';

defineDifferentialGroups('alu', aluGroups);
