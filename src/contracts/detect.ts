// Which contract format a file is, from its name and, for YAML/JSON, a look at its first bytes.
import type { ContractFormat } from './types.js';

/** How much of a YAML/JSON text the sniffing reads: the format key is near the top. */
const SNIFF_CHARS = 8192;

/**
 * The contract format of `path`, or `null` when it is none we compare.
 *
 * - By extension: `.graphql` `.graphqls` `.gql` → graphql; `.proto` → protobuf; `.prisma` →
 *   prisma; `.sql` → sql; `.ts` `.tsx` `.mts` `.cts` (and `.d.ts`) → typescript.
 * - `.yaml` `.yml` `.json`: by a top-level key in the first 8 KB of `text` (`openapi: 3.x` →
 *   openapi, `swagger: "2.0"` → swagger, `asyncapi: 2.x` → asyncapi, a `$schema` naming
 *   json-schema → jsonschema); without `text`, or when no key says, by the name
 *   (`openapi.*`, `swagger.*`, `asyncapi.*`, `*.schema.json`).
 *
 * Never parses the whole text; cheap enough to call on every file of a commit.
 */
export function contractFormatOf(path: string, text?: string | null): ContractFormat | null {
  const name = (path.split('/').pop() ?? path).toLowerCase();
  const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : '';
  switch (ext) {
    case 'graphql':
    case 'graphqls':
    case 'gql':
      return 'graphql';
    case 'proto':
      return 'protobuf';
    case 'prisma':
      return 'prisma';
    case 'sql':
      return 'sql';
    case 'ts':
    case 'tsx':
    case 'mts':
    case 'cts':
      return 'typescript';
    case 'yaml':
    case 'yml':
    case 'json':
      return (text ? sniffDocument(text.slice(0, SNIFF_CHARS)) : null) ?? byName(name);
    default:
      return null;
  }
}

/** The format a YAML or JSON document declares at its top level, if any. */
function sniffDocument(head: string): ContractFormat | null {
  // YAML: the key at the start of a line; JSON: the quoted key (top level in practice).
  const value = (k: string): string =>
    (new RegExp(`^["']?${k}["']?[ \\t]*:[ \\t]*["']?([\\w.-]+)`, 'm').exec(head) ??
      new RegExp(`"${k}"\\s*:\\s*"([^"]*)"`).exec(head))?.[1] ?? '';
  if (/^3\./.test(value('openapi'))) return 'openapi';
  if (/^2\./.test(value('swagger'))) return 'swagger';
  if (/^[23]\./.test(value('asyncapi'))) return 'asyncapi';
  if (/^["']?\$schema["']?[ \t]*:[^\n]*json-schema/m.test(head) || /"\$schema"\s*:\s*"[^"]*json-schema/.test(head)) {
    return 'jsonschema';
  }
  return null;
}

function byName(name: string): ContractFormat | null {
  const stem = name.replace(/\.(ya?ml|json)$/, '');
  if (stem === 'openapi' || stem.endsWith('.openapi')) return 'openapi';
  if (stem === 'swagger' || stem.endsWith('.swagger')) return 'swagger';
  if (stem === 'asyncapi' || stem.endsWith('.asyncapi')) return 'asyncapi';
  if (name.endsWith('.schema.json')) return 'jsonschema';
  return null;
}
