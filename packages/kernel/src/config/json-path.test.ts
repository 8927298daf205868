import { describe, expect, it } from 'vitest';
import { pointerToPath } from './json-path.js';

describe('pointerToPath', () => {
  it('writes pointers as JavaScript property paths', () => {
    expect(pointerToPath('/machine/memoryMiB')).toBe('machine.memoryMiB');
    expect(pointerToPath('/drivers/0/1/channels')).toBe('drivers[0][1].channels');
    expect(pointerToPath('/init/env/MY-VAR')).toBe('init.env["MY-VAR"]');
    expect(pointerToPath('/a~1b/c~0d')).toBe('["a/b"]["c~d"]');
    expect(pointerToPath('')).toBe('(top level)');
  });
});
