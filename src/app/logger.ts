export type LogLevel = "debug" | "info" | "error" | "none";
const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, error: 2, none: 3 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** One line per event on stderr, "time level msg key=value ...", so logs are greppable. */
export function createLogger(level: LogLevel = "info", module = "app"): Logger {
  const write = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < ORDER[level]) return;
    const extra = fields
      ? " " + Object.entries(fields).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x))}`).join(" ")
      : "";
    process.stderr.write(`${new Date().toISOString()} ${lvl.toUpperCase().padEnd(5)} [${module}] ${msg}${extra}\n`);
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    error: (m, f) => write("error", m, f),
  };
}
