// Differential tests of MMX, SSE and SSE2; the forms are generated in groups/sse.ts.
import { defineDifferentialGroups } from './differential.js';
import { sseConvertGroups, sseFloatGroups, sseIntegerGroups } from './groups/sse.js';

defineDifferentialGroups('sse', [...sseFloatGroups, ...sseConvertGroups, ...sseIntegerGroups]);
