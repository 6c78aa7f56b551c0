/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88820) for HASH CRC32: Node 20 has no
 * zlib.crc32, and this is small enough to own.
 */
const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** An incremental CRC-32: `update` any number of chunks, then `digest` the lower-case hex. */
export class Crc32 {
  #crc = 0xffffffff;

  update(chunk: Uint8Array): this {
    let crc = this.#crc;
    for (let i = 0; i < chunk.length; i++) {
      crc = (TABLE[(crc ^ (chunk[i] as number)) & 0xff] as number) ^ (crc >>> 8);
    }
    this.#crc = crc;
    return this;
  }

  /** 8 lower-case hex digits. */
  digest(): string {
    return ((this.#crc ^ 0xffffffff) >>> 0).toString(16).padStart(8, '0');
  }
}
