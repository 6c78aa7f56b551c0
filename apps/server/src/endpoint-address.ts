/** Where an HTTP side endpoint (`--metrics`, `--health`) listens. */
export interface MetricsAddress {
  host: string;
  port: number;
}

/**
 * Parse `HOST:PORT` (`[::1]:9100` for IPv6; port 0 picks a free one). Returns undefined when the
 * text is not of that shape. Used by the settings, the metrics and the health endpoint.
 */
export function parseMetricsAddress(text: string): MetricsAddress | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim());
  if (m === null) return undefined;
  const port = Number(m[3]);
  if (port > 65_535) return undefined;
  return { host: m[1] ?? m[2] ?? '', port };
}
