import i18next from 'i18next';
import type { ContractClient } from '../../shared/contract/index.js';
import { createHttpClient } from './http.js';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in the headless dashboard. */
    runnerTray?: ContractClient;
  }
}

export function selectClient(): ContractClient {
  return window.runnerTray ?? createHttpClient(undefined, (key, params) => i18next.t(`transport.${key}`, params ?? {}));
}
