// Moved to ./state/sessions.ts; kept until every importer points there.
export * from './state/sessions.js';
