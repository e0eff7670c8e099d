/**
 * Tenant ids name a tenant's rows in every sink and label its metrics, so they are short, lower-case and
 * safe anywhere: a letter or digit, then up to 62 letters, digits, `_` or `-`.
 */
export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export function isTenantId(value: string): boolean {
  return TENANT_ID_PATTERN.test(value);
}
