/**
 * Quotes a string as a MariaDB string literal (default sql_mode, backslash escapes on).
 * Used only for passwords and names sent over stdin or a socket, never on a command line.
 */
export function sqlString(value: string): string {
  if (value.includes("\0")) throw new Error("a NUL byte cannot be sent as a SQL string");
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}
