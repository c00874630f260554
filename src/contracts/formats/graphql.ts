// GraphQL SDL, compared and classified by @graphql-inspector/core (its criticality levels are
// our severities). Only `graphql`'s parser and schema builder run: SDL has no code to execute.
import { CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildASTSchema, parse, type GraphQLSchema } from 'graphql';
import type { ContractChange, FormatComparer, Severity } from '../types.js';

const SEVERITY: Record<string, Severity> = {
  [CriticalityLevel.Breaking]: 'breaking',
  [CriticalityLevel.Dangerous]: 'dangerous',
  [CriticalityLevel.NonBreaking]: 'safe',
};

export const graphql: FormatComparer = {
  parse(text) {
    // Syntax is checked by `parse`; the SDL rules are not (a file may use directives or
    // extensions defined elsewhere), types it names must exist in it.
    return buildASTSchema(parse(text, { noLocation: true }), { assumeValidSDL: true });
  },
  async compare(before, after, context) {
    const found = await diff(before as GraphQLSchema, after as GraphQLSchema);
    return found.map((change): ContractChange => {
      const where = change.path ?? '(schema)';
      const typeName = where.split('.')[0] ?? '';
      const out: ContractChange = {
        severity: SEVERITY[change.criticality.level] ?? 'dangerous',
        kind: change.type,
        where,
        message: change.message.replaceAll("'", ''),
      };
      if (context.exportsNames.has(typeName)) out.exportName = typeName;
      return out;
    });
  },
};
