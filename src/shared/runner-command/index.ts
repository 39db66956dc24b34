export * from './types.js';
export { parseRunnerCommand, looksLikeRunnerCommand } from './parse.js';
export { REQUIRED_ENV, EXPECTED_ENV, OPTIONAL_ENV, RUNNER_REPOSITORY, DEFAULT_WORKING_DIRECTORY } from './runner-env.js';
export { formatParseJson, describeSpec, describeParseResult, orderedEnvNames, type ParseJson } from './format.js';
export { redactPaste, maskSecret, SECRET_ENV_NAME } from './mask.js';
export { parseImageRef, type ImageRef } from './image-ref.js';
export { wizardRunnerCommand, type WizardCommandInput } from './wizard-command.js';
