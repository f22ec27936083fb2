/**
 * Sets `key = value` inside `[section]` of a TOML file ("" = the top-level table), keeping every
 * other line and comment as CometBFT wrote it. `value` is a TOML literal, e.g. '"100ms"' or 'true'.
 * Only for CometBFT's flat config.toml: no nested tables, no multi-line values.
 */
export function setTomlValue(text: string, section: string, key: string, value: string): string {
  const lines = text.split("\n");
  let current = "";
  let sectionEnd = section === "" ? firstSectionLine(lines) : -1;
  for (let i = 0; i < lines.length; i++) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(lines[i]);
    if (header) {
      if (current === section && sectionEnd < 0) sectionEnd = i;
      current = header[1].trim();
      continue;
    }
    if (current === section && new RegExp(`^\\s*${escapeRegExp(key)}\\s*=`).test(lines[i])) {
      lines[i] = `${key} = ${value}`;
      return lines.join("\n");
    }
  }
  // Not present: append to the section (or create it).
  if (current === section && sectionEnd < 0) sectionEnd = lines.length;
  if (sectionEnd < 0) {
    lines.push("", `[${section}]`, `${key} = ${value}`);
  } else {
    lines.splice(sectionEnd, 0, `${key} = ${value}`);
  }
  return lines.join("\n");
}

export function getTomlValue(text: string, section: string, key: string): string | undefined {
  let current = "";
  for (const line of text.split("\n")) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      current = header[1].trim();
      continue;
    }
    const m = new RegExp(`^\\s*${escapeRegExp(key)}\\s*=\\s*(.*)$`).exec(line);
    if (current === section && m) return m[1].trim().replace(/^"(.*)"$/, "$1");
  }
  return undefined;
}

function firstSectionLine(lines: string[]): number {
  const i = lines.findIndex((l) => /^\s*\[[^\]]+\]\s*$/.test(l));
  return i < 0 ? lines.length : i;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
