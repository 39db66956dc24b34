/**
 * Electron preload: exposes exactly the contract to the page as `window.runnerTray`, one frozen
 * object with `invoke` and `on`. It runs sandboxed, so it is bundled to one CommonJS file
 * (`dist/preload/index.cjs`, see vite.preload.config.ts) whose only `require` is 'electron'.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { expose } from './bridge.js';

contextBridge.exposeInMainWorld('runnerTray', expose(ipcRenderer));
