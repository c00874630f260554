// Moved to ./state/syncpoints.ts; kept until every importer points there.
export * from './state/syncpoints.js';
