export * from './dind-version.js';
export * from './manifests.js';
export * from './names.js';
export * from './resources.js';
export * from './types.js';
