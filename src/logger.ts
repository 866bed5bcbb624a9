/**
 * The agent's log: one readable line per event on stderr, beside mariadbd's own lines.
 * Secrets never reach it: they are Secret objects, which print as "[secret]".
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function createLogger(
  nodeName: string,
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  const line = (level: string, message: string): void =>
    write(`${new Date().toISOString()} galera-pilot[${nodeName}] ${level}: ${message}\n`);
  return {
    info: (m) => line("info", m),
    warn: (m) => line("warn", m),
    error: (m) => line("error", m),
  };
}
