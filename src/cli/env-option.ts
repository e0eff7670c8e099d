import { Option } from "commander";
import { formatDuration, parseDuration } from "./parsers.js";

/** Every option of every command can also be given as TENANT_EVENTS_<OPTION_NAME> (e.g. TENANT_EVENTS_LISTEN). */
export const ENV_PREFIX = "TENANT_EVENTS_";

export function envName(option: Option): string {
  return (
    ENV_PREFIX +
    option
      .attributeName()
      .replace(/[A-Z]/g, (c) => `_${c}`)
      .toUpperCase()
  );
}

/**
 * An option with its environment equivalent. Commander registers the env handler when the option is
 * added, so the variable must be set here rather than afterwards. The third argument is either the
 * value parser (then the fourth is the default) or the default itself; without either the option has
 * no default.
 */
export function envOption(
  flags: string,
  description: string,
  parseOrDefault?: ((value: string) => unknown) | string | boolean | number,
  defaultValue?: unknown,
): Option {
  const option = new Option(flags, description);
  option.env(envName(option));
  if (typeof parseOrDefault === "function") {
    option.argParser(parseOrDefault);
    // A duration's default is shown as one would type it ("5s"), not as its milliseconds.
    if (defaultValue !== undefined && parseOrDefault === parseDuration && typeof defaultValue === "number") {
      option.default(defaultValue, formatDuration(defaultValue));
    } else if (defaultValue !== undefined) option.default(defaultValue);
  } else if (parseOrDefault !== undefined) {
    option.default(parseOrDefault);
  }
  return option;
}
