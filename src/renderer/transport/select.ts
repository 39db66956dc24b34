import type { ContractClient } from '../../shared/contract/index.js';
import { createHttpClient } from './http.js';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in the headless dashboard. */
    runnerTray?: ContractClient;
  }
}

export function selectClient(): ContractClient {
  return window.runnerTray ?? createHttpClient();
}
