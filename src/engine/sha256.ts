// Hashes kube-proxy and the CNIs derive names from. SHA-256 comes from Node's crypto (a pure
// function: no I/O, same bytes in, same bytes out); base32 is the RFC 4648 alphabet Go's
// base32.StdEncoding uses, which Node does not ship.
import { createHash } from 'node:crypto';

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
