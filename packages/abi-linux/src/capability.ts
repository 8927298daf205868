// Capabilities (capget/capset): the header versions and the last capability. Layer: abi (data only).
// Written from the UAPI <linux/capability.h>; capability.test.ts checks each value.

export const _LINUX_CAPABILITY_VERSION_1 = 0x19980330;
export const _LINUX_CAPABILITY_U32S_1 = 1;
export const _LINUX_CAPABILITY_VERSION_2 = 0x20071026;
export const _LINUX_CAPABILITY_U32S_2 = 2;
export const _LINUX_CAPABILITY_VERSION_3 = 0x20080522;
export const _LINUX_CAPABILITY_U32S_3 = 2;
/** The capability prctl's bounding-set drop and securebits need. */
export const CAP_SETPCAP = 8;
/** CAP_CHECKPOINT_RESTORE: the highest capability in Linux 6.x. */
export const CAP_LAST_CAP = 40;
