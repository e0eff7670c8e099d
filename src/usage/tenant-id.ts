import { InvalidArgumentError } from "../errors/errors.js";

/**
 * What a tenant id may look like when it is named in a query: 1..128 characters (the sinks' bound),
 * letters, digits, '.', '_', '-', starting with a letter or digit. Timestream has no bind parameters, so
 * the id ends up inside a SQL string literal; this pattern keeps quotes, backslashes, whitespace and
 * control characters out before quoting is even needed.
 */
export const TENANT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function validateTenantId(tenant: string): string {
  if (!TENANT_ID_PATTERN.test(tenant)) {
    throw new InvalidArgumentError(
      `tenant ${JSON.stringify(tenant.length > 40 ? `${tenant.slice(0, 40)}…` : tenant)} is not a tenant id: ` +
        "1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit",
    );
  }
  return tenant;
}
