// The hashes the engine derives names and placements from. FNV-1a for our own stable choices;
// SHA-256 (Node's crypto: a pure function, same bytes in, same bytes out) and base32 (RFC 4648, the
// alphabet Go's base32.StdEncoding uses, which Node does not ship) for the names kube-proxy and the
// CNIs derive.
import { createHash } from 'node:crypto';

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

/** SHA-1 of a UTF-8 string (Calico names veths with it). */
export function sha1(text: string): Uint8Array {
  return new Uint8Array(createHash('sha1').update(text, 'utf8').digest());
}

/** SHA-256 of a UTF-8 string. */
export function sha256(text: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(text, 'utf8').digest());
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (Go's base32.StdEncoding), with `=` padding. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += '=';
  return out;
}
