// The fold moved to the core (src/core/state/fold.ts); kept until every importer points there.
export * from '../core/state/fold.js';
