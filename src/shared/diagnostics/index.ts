export { diagnose, diagnosisScope, dindTagVersion, maskCredentialLike, SIGNATURES } from './diagnose.js';
export type { Diagnosis, DiagnosisCode, DiagnosisScope, DiagnoseContext } from './diagnose.js';
export { DIAGNOSIS_TEXT, fillText } from './text.js';
export type { DiagnosisTextKey } from './text.js';
export { DIAGNOSIS_TEXT_PL } from './text-pl.js';
export { localizedDiagnosis } from './localized.js';
