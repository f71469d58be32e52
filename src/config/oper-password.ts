/** The operator password formats the config accepts (checked at load, used by OPER). */

export const SCRYPT = /^scrypt\$((?:[0-9a-fA-F]{2}){8,128})\$((?:[0-9a-fA-F]{2}){16,128})$/;

/**
 * Why an operator's configured password cannot be used, or null when it is fine: plain
 * text, or "scrypt$<salt-hex>$<hash-hex>" with 8-128 bytes of salt and 16-128 of hash.
 * (A malformed hash once decoded to empty buffers that matched any password.)
 */
export function passwordProblem(stored: string): string | null {
  if (stored === '') return 'is empty';
  if (stored.startsWith('scrypt$') && !SCRYPT.test(stored)) {
    return 'looks like a scrypt hash but is malformed: expected "scrypt$<salt-hex>$<hash-hex>" with 16-256 hex digits of salt and 32-256 of hash';
  }
  return null;
}
