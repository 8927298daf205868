// Types for the build step scripts/gen-config-validator.mjs, which the staleness test imports.
export declare const CONFIG_AJV_OPTIONS: { useDefaults: boolean; allErrors: boolean; strict: boolean };
export declare function generateConfigValidator(): string;
export declare function writeConfigValidator(): void;
