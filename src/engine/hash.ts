/** FNV-1a, 32 bits: a fast, stable hash for deterministic placement and naming. */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

// The alphabet Kubernetes uses for generated name suffixes (no vowels, no confusable digits).
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A Kubernetes-looking random suffix, but derived from `key` so that it is stable. */
export function nameSuffix(key: string, length: number): string {
  let out = '';
  let h = fnv1a(key);
  for (let i = 0; i < length; i++) {
    if (i > 0 && i % 6 === 0) h = fnv1a(key + i, h);
    out += ALPHABET[h % ALPHABET.length];
    h = Math.floor(h / ALPHABET.length);
  }
  return out;
}
