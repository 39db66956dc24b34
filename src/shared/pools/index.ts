export * from './types.js';
export { matchStep, poolLabels, servesRepository, waitingFor, type StepMatch } from './labels.js';
export { planPool, type PlanInput } from './plan.js';
