/**
 * A tar archive (ustar) of a few small text files, in memory: how LaunchSpec.files reach a node's
 * data volume on a remote engine (container.putArchive), where there is no host folder to write.
 */
export function tarOf(files: Record<string, string>, mode = 0o644): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, text] of Object.entries(files)) {
    const body = Buffer.from(text, 'utf8');
    if (Buffer.byteLength(name) > 99) throw new Error(`tar: file name "${name}" is over 99 bytes`);
    const h = Buffer.alloc(512);
    h.write(name, 0, 'utf8');
    h.write(octal(mode, 7), 100);
    h.write(octal(0, 7), 108); // uid
    h.write(octal(0, 7), 116); // gid
    h.write(octal(body.length, 11), 124);
    h.write(octal(Math.floor(Date.now() / 1000), 11), 136);
    h.write('        ', 148); // checksum field counts as spaces while summing
    h.write('0', 156); // a regular file
    h.write('ustar\u000000', 257, 'binary');
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, '0') + '\u0000 ', 148, 'binary');
    blocks.push(h, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024)); // two zero blocks end the archive
  return Buffer.concat(blocks);
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width, '0') + '\u0000';
}
