export * from './types.js';
export {
  parseRunnerCommand,
  looksLikeRunnerCommand,
  REQUIRED_ENV,
  EXPECTED_ENV,
  OPTIONAL_ENV,
  RUNNER_REPOSITORY,
  DEFAULT_WORKING_DIRECTORY,
} from './parse.js';
export { formatParseJson, describeSpec, describeParseResult, type ParseJson } from './format.js';
export { redactPaste, maskSecret } from './mask.js';
export { parseImageRef, type ImageRef } from './image-ref.js';
