// Lit (under @vscode-elements) falls back to <style> elements where constructable stylesheets are
// missing; give it the page's CSP nonce so those are allowed too. Imported first, before any element.
const app = document.getElementById('app');
const nonce = app?.dataset['nonce'];
if (nonce) (globalThis as { litNonce?: string }).litNonce = nonce;
