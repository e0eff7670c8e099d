import { InvalidArgumentError } from "../errors/errors.js";

/**
 * Tenant ids name a tenant's rows in every sink and label its metrics, so they are short, lower-case and
 * safe anywhere: a letter or digit, then up to 62 letters, digits, `_` or `-`. The query layer relies on
 * this too: Timestream has no bind parameters, so a tenant id ends up inside a SQL string literal, and
 * the pattern keeps quotes, backslashes, whitespace and control characters out before quoting is needed.
 */
export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export function isTenantId(value: string): boolean {
  return TENANT_ID_PATTERN.test(value);
}

/** Returns `tenant` when it is a tenant id. @throws InvalidArgumentError saying what one looks like */
export function validateTenantId(tenant: string): string {
  if (!isTenantId(tenant)) {
    throw new InvalidArgumentError(
      `tenant ${JSON.stringify(tenant.length > 40 ? `${tenant.slice(0, 40)}…` : tenant)} is not a tenant id: ` +
        "1 to 63 lower-case letters, digits, '_' or '-', starting with a letter or digit",
    );
  }
  return tenant;
}
