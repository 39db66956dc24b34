/**
 * Stand-ins for the few Electron objects the tests drive, because Electron's binary cannot run
 * here. Each is shaped like Electron's documented API (electron.d.ts): same method names,
 * arguments and event payloads, and nothing more than the code under test uses.
 */
import { EventEmitter } from 'node:events';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** `ipcMain`: `handle(channel, (event, ...args) => result)`, one handler per channel. */
export class StandInIpcMain {
  readonly handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();

  handle(channel: string, listener: (event: unknown, ...args: unknown[]) => unknown): void {
    // Electron throws on a second handler for the same channel.
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /** What `ipcRenderer.invoke(channel, payload)` from `sender` would reach. */
  async invokeFrom(sender: StandInWebContents, frame: { url: string; parent: unknown } | null, channel: string, payload: unknown): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
    // Like Electron, the payload crosses as a structured clone.
    return handler({ sender, senderFrame: frame, processId: 1, frameId: 1 }, structuredClone(payload));
  }
}

/** `webContents`: events (`will-navigate`, …), `send`, `setWindowOpenHandler`, `getURL`. */
export class StandInWebContents extends EventEmitter {
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  windowOpenHandler:
    | ((details: { url: string; frameName: string; features: string; disposition: string; referrer: unknown; postBody?: unknown }) => {
        action: 'allow' | 'deny';
      })
    | null = null;
  destroyed = false;
  readonly mainFrame: { url: string; parent: null };

  constructor(public url = 'app://runner-tray/index.html') {
    super();
    this.mainFrame = { url, parent: null };
  }

  /** URLs given to `loadURL`, in order. */
  readonly loads: string[] = [];

  /** `webContents.loadURL`: records the URL and takes it as the page's (resolving as Electron does once it is there). */
  async loadURL(url: string): Promise<void> {
    this.loads.push(url);
    this.url = url;
    this.mainFrame.url = url;
  }

  send(channel: string, ...args: unknown[]): void {
    // Electron serialises with the structured clone algorithm: functions and class instances do not survive.
    this.sent.push({ channel, args: structuredClone(args) });
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  getURL(): string {
    return this.url;
  }

  setWindowOpenHandler(handler: NonNullable<StandInWebContents['windowOpenHandler']>): void {
    this.windowOpenHandler = handler;
  }

  /** The page calls `window.open(url)`: Electron asks the handler. */
  open(url: string): { action: 'allow' | 'deny' } {
    if (!this.windowOpenHandler) return { action: 'allow' };
    return this.windowOpenHandler({ url, frameName: '', features: '', disposition: 'new-window', referrer: { url: this.url, policy: 'no-referrer' } });
  }

  /** The page tries to navigate: Electron emits `will-navigate` with an Event whose `preventDefault` stops it. Returns whether it went ahead. */
  navigate(url: string, eventName: 'will-navigate' | 'will-redirect' = 'will-navigate'): boolean {
    let prevented = false;
    const event = { url, isMainFrame: true, preventDefault: () => (prevented = true), defaultPrevented: false };
    this.emit(eventName, event, url);
    return !prevented;
  }
}

/** `ipcRenderer` as a sandboxed preload sees it: `invoke`, `on`, `removeListener`. */
export class StandInIpcRenderer extends EventEmitter {
  readonly invoked: Array<{ channel: string; payload: unknown }> = [];
  reply: (channel: string, payload: unknown) => unknown = () => ({ ok: true, value: null });

  async invoke(channel: string, payload: unknown): Promise<unknown> {
    this.invoked.push({ channel, payload });
    return this.reply(channel, payload);
  }

  /** Main's `webContents.send(channel, payload)` arriving: listeners get `(event, payload)`, and the event's `sender` is ipcRenderer itself. */
  deliver(channel: string, payload: unknown): void {
    this.emit(channel, { sender: this, senderId: 0, ports: [] }, structuredClone(payload));
  }
}

/** `contextBridge.exposeInMainWorld(key, api)`: the page sees a copy of what was exposed. */
export class StandInContextBridge {
  readonly exposed = new Map<string, unknown>();
  exposeInMainWorld(key: string, api: unknown): void {
    if (this.exposed.has(key)) throw new Error(`Cannot bind an API on top of an existing property on the window object: ${key}`);
    this.exposed.set(key, api);
  }
}

/**
 * `safeStorage`, with real encryption (AES-256-GCM under a per-instance key, prefixed "v11" like
 * Chromium's Linux format), so "no plain text in the file" is a real check. `key` lets two
 * instances share a key (one keyring) or not (the keyring was reset).
 */
export class StandInSafeStorage {
  plainTextEncryption = false;
  constructor(
    public backend: 'basic_text' | 'gnome_libsecret' | 'kwallet5' | 'unknown' = 'gnome_libsecret',
    public available = true,
    readonly key: Buffer = randomBytes(32),
  ) {}

  isEncryptionAvailable(): boolean {
    return this.backend === 'basic_text' ? this.plainTextEncryption : this.available;
  }

  getSelectedStorageBackend() {
    return this.backend;
  }

  setUsePlainTextEncryption(usePlainText: boolean): void {
    this.plainTextEncryption = usePlainText;
  }

  encryptString(plainText: string): Buffer {
    if (!this.isEncryptionAvailable()) throw new Error('Error while encrypting the text provided to safeStorage.encryptString. Encryption is not available.');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from('v11'), iv, cipher.getAuthTag(), body]);
  }

  decryptString(encrypted: Buffer): string {
    if (encrypted.subarray(0, 3).toString() !== 'v11') throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    const iv = encrypted.subarray(3, 15);
    const tag = encrypted.subarray(15, 31);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(encrypted.subarray(31)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    }
  }
}

/**
 * `BrowserWindow`: constructed with its options, shows, hides, minimises and is destroyed as
 * Electron's does, emitting the same events (`show`, `hide`, `minimize`, `restore`, `close`,
 * `closed`). `loadURL` goes to its webContents, as in Electron.
 */
export class StandInBrowserWindow extends EventEmitter {
  static readonly all: StandInBrowserWindow[] = [];
  readonly webContents = new StandInWebContents('about:blank');
  visible = false;
  minimized = false;
  destroyed = false;
  focused = 0;

  constructor(readonly options: Record<string, unknown>) {
    super();
    StandInBrowserWindow.all.push(this);
  }

  loadURL(url: string): Promise<void> {
    return this.webContents.loadURL(url);
  }

  show(): void {
    this.visible = true;
    this.minimized = false;
    this.emit('show');
  }

  hide(): void {
    this.visible = false;
    this.emit('hide');
  }

  focus(): void {
    this.focused++;
  }

  isMinimized(): boolean {
    return this.minimized;
  }

  minimize(): void {
    this.minimized = true;
    this.emit('minimize');
  }

  restore(): void {
    this.minimized = false;
    this.emit('restore');
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  /** Closing for good (as on quit): `close` may be prevented, then `closed` and the window is gone. */
  destroy(): void {
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

/** `Tray`: `setContextMenu`, `setImage`, `setToolTip`, events (`click`, `mouse-enter`), `destroy`; keeps what it was given. */
export class StandInTray extends EventEmitter {
  image: unknown;
  toolTip = '';
  menu: unknown = null;
  destroyed = false;

  constructor(image: unknown) {
    super();
    this.image = image;
  }

  setContextMenu(menu: unknown): void {
    this.menu = menu;
  }

  setImage(image: unknown): void {
    this.image = image;
  }

  setToolTip(toolTip: string): void {
    this.toolTip = toolTip;
  }

  destroy(): void {
    this.destroyed = true;
  }
}
