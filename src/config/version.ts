import { readFileSync } from 'node:fs';

/** The version in package.json, read once when asked. */
export function packageVersion(): string {
  const url = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}
