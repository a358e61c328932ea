import { mount } from 'svelte';
import App from './App.svelte';
import { startServiceWorker } from './lib/pwa/register-service-worker';
import { PwaState } from './lib/ui/pwa.svelte';

const pwa = new PwaState();
pwa.listen(window);
startServiceWorker(pwa.serviceWorkerHooks);
mount(App, { target: document.getElementById('app')!, props: { pwa } });
