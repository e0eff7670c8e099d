/** A sender-supplied string quoted in a message: JSON-escaped and cut short. */
export function quote(value: string, max = 64): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}
