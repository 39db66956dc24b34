export type SettingsErrorCode = 'SETTINGS_INVALID' | 'SETTINGS_CORRUPT' | 'SETTINGS_TOO_NEW';

export class SettingsError extends Error {
  constructor(
    readonly code: SettingsErrorCode,
    message: string,
    /** Where a corrupt file was moved, when it was. */
    readonly backupPath?: string,
  ) {
    super(message);
    this.name = 'SettingsError';
  }
}
