/**
 * The version of the driver ABI this package describes.
 *
 * Every plugin declares, in its `abi` field, the semver range of this version it was built against; the
 * kernel refuses a plugin whose range does not include the ABI_VERSION it was built with. The policy
 * (docs/driver-abi.md): adding a member or a kind is a minor bump; changing or removing anything is a
 * major bump. The declaration snapshot test in this package fails on any change, so no bump is forgotten.
 */
export const ABI_VERSION = '1.2.0';
