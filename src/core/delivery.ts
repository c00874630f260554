// Moved to ./state/delivery.ts; kept until every importer points there.
export * from './state/delivery.js';
