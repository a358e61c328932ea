/**
 * Install, update and connectivity state: the install prompt where the browser offers one, Add-to-Home-Screen
 * steps on iOS Safari (which has no prompt), the "new version ready" notice, and online/offline.
 */
import type { ServiceWorkerHooks } from '../pwa/register-service-worker';
import { isIosSafari } from './device';

interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>;
  userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

const IOS_HINT_DISMISSED = 'trit:ios-install-hint-dismissed';

export class PwaState {
  online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);
  canInstall = $state(false);
  showIosHint = $state(false);
  updateReady = $state(false);
  offlineReady = $state(false);

  private installEvent: BeforeInstallPromptEvent | undefined;
  private applyUpdate: (() => Promise<void>) | undefined;

  /** Hooks for startServiceWorker(), which reports a waiting update and first offline readiness. */
  readonly serviceWorkerHooks: ServiceWorkerHooks = {
    onUpdateReady: (update) => {
      this.applyUpdate = update;
      this.updateReady = true;
    },
    onOfflineReady: () => {
      this.offlineReady = true;
    },
  };

  listen(win: Window): void {
    win.addEventListener('online', () => (this.online = true));
    win.addEventListener('offline', () => (this.online = false));
    win.addEventListener('beforeinstallprompt', (e) => {
      // Keep the browser's mini-infobar away; the app shows its own button instead.
      e.preventDefault();
      this.installEvent = e as BeforeInstallPromptEvent;
      this.canInstall = true;
    });
    win.addEventListener('appinstalled', () => {
      this.installEvent = undefined;
      this.canInstall = false;
    });
    const standalone =
      win.matchMedia?.('(display-mode: standalone)').matches === true ||
      (win.navigator as Navigator & { standalone?: boolean }).standalone === true;
    this.showIosHint =
      isIosSafari(win.navigator.userAgent, win.navigator.maxTouchPoints ?? 0, standalone) && !win.localStorage.getItem(IOS_HINT_DISMISSED);
  }

  async install(): Promise<void> {
    const event = this.installEvent;
    if (!event) return;
    await event.prompt();
    await event.userChoice;
    // A prompt can be shown once; after that only a new beforeinstallprompt brings the button back.
    this.installEvent = undefined;
    this.canInstall = false;
  }

  dismissIosHint(): void {
    this.showIosHint = false;
    localStorage.setItem(IOS_HINT_DISMISSED, '1');
  }

  async update(): Promise<void> {
    await this.applyUpdate?.();
  }

  dismissOfflineReady(): void {
    this.offlineReady = false;
  }
}
