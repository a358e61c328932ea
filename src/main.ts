import { mount } from 'svelte';
import App from './App.svelte';
import { startServiceWorker } from './lib/pwa/service-worker';

startServiceWorker();
mount(App, { target: document.getElementById('app')! });
