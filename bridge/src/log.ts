/** The bridge's one voice: plain lines, prefixed, warnings and errors on stderr. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

export function consoleLogger(options: { prefix?: string; debug?: boolean } = {}): Logger {
  const prefix = options.prefix ?? "[taskmaster-live]";
  const line = (message: string) => `${prefix} ${message}`;
  return {
    info: (m) => console.log(line(m)),
    warn: (m) => console.error(line(m)),
    error: (m) => console.error(line(m)),
    debug: (m) => {
      if (options.debug) console.log(line(m));
    },
  };
}
