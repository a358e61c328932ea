/**
 * The share's page, for the teacher's screen (or a projector): per model, its short address in large text and as a
 * QR code (qrcode, as SVG), what to do on each tablet, and, on this computer only, who is downloading how far.
 */
import QRCode from 'qrcode';
import type { ShareManifest } from './share-models';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
export const sizeText = (b: number) => (b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : `${(b / 1e6).toFixed(1)} MB`);
const billions = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(1)} billion` : `${(n / 1e6).toFixed(0)} million`);

/** The short address typed on a tablet: no scheme, e.g. 192.168.1.20:8765/1. */
export function shortAddress(base: string, id: string): string {
  return `${base.replace(/^http:\/\//, '')}/${id}`;
}

export async function renderSharePage(models: ShareManifest[], base: string): Promise<string> {
  const cards = await Promise.all(
    models.map(async (m) => {
      const url = `${base}/${m.id}`;
      const svg = await QRCode.toString(url, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
      // For copies made by USB stick: a tablet scans this beside "Add a model from a file" to check the copy.
      const shaSvg = await QRCode.toString(m.sha256, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
      return `<section class="model">
  <h2>${escape(m.name)}</h2>
  <p class="facts">${sizeText(m.size)} · ${escape(m.architecture)} · ${billions(m.parameters)} parameters</p>
  <div class="qr" role="img" aria-label="QR code for ${escape(url)}">${svg}</div>
  <p class="address" data-testid="share-address">${escape(shortAddress(base, m.id))}</p>
  <details><summary>Checksum, for copies by USB stick</summary><p class="sha">sha256 ${m.sha256}</p>
    <div class="qr" role="img" aria-label="QR code of the checksum">${shaSvg}</div></details>
</section>`;
    }),
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Trit: models shared from this computer</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0 auto; padding: 1rem; max-width: 60rem; color: #0f172a; }
  .models { display: flex; flex-wrap: wrap; gap: 1.5rem; }
  .model { border: 1px solid #cbd5e1; border-radius: 1rem; padding: 1rem; flex: 1 1 18rem; }
  .qr svg { width: 100%; max-width: 22rem; height: auto; }
  .address { font-size: 2rem; font-weight: 700; word-break: break-all; margin: 0.5rem 0; }
  .facts, .sha { color: #475569; } .sha { word-break: break-all; font-family: monospace; }
  table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: 0.25rem 0.5rem; border-bottom: 1px solid #e2e8f0; }
</style></head>
<body>
<h1>Models shared from this computer</h1>
<p>On each tablet: open Trit, tap <b>Models</b>, then <b>Get from a classroom computer</b>. Point the camera at the
code, or type the address under it. The tablets must be on the same Wi-Fi as this computer. No internet is needed.</p>
<div class="models">${cards.join('\n')}</div>
<section id="progress" hidden><h2>Downloads</h2><table><thead><tr><th>Tablet</th><th>Model</th><th>Done</th></tr></thead><tbody></tbody></table></section>
<script>
  const body = document.querySelector('#progress tbody');
  async function poll() {
    try {
      const r = await fetch('/status.json', { cache: 'no-store' });
      if (!r.ok) return; // only the sharing computer sees who downloads
      const { downloads } = await r.json();
      document.getElementById('progress').hidden = downloads.length === 0;
      body.replaceChildren(...downloads.map((d) => {
        const tr = document.createElement('tr');
        const pct = d.size ? Math.floor((100 * d.sent) / d.size) : 100;
        for (const text of [d.client, d.model, pct + '%' + (d.active ? '' : pct >= 100 ? ' (finished)' : ' (waiting)')]) {
          const td = document.createElement('td'); td.textContent = text; tr.append(td);
        }
        return tr;
      }));
      setTimeout(poll, 2000);
    } catch { setTimeout(poll, 5000); }
  }
  poll();
</script>
</body></html>`;
}
