import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRemoteOptions, fetchRemote, internalAddressCheck } from '../pipeline/read/remote.ts';
import { runCli, tempProject } from './helpers.ts';

const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC', 'base64');
let server: Server;
let base = '';
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    hits.push(request.url ?? '');
    if (request.url === '/dot.png') return void response.end(png);
    if (request.url === '/redirect') return void response.writeHead(302, { location: '/dot.png' }).end();
    if (request.url === '/loop') return void response.writeHead(302, { location: '/loop' }).end();
    if (request.url === '/big') return void response.end(Buffer.alloc(4096));
    if (request.url === '/slow') return void setTimeout(() => response.end(png), 2000);
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('remote images', () => {
  it('are never fetched without --allow-remote', () => {
    hits.length = 0;
    const root = tempProject({ 'doc.md': `---\ntitle: R\n---\n\n![Dot](${base}/dot.png)\n` });
    const run = runCli(['build', 'doc.md'], root);
    expect(hits).toEqual([]);
    expect(run.status).toBe(0);
    expect(readFileSync(join(root, 'dist/doc.html'), 'utf8')).toContain(`src="${base}/dot.png"`);
  });

  it('are refused from loopback, private and link-local addresses even with --allow-remote', () => {
    hits.length = 0;
    const root = tempProject({ 'doc.md': `---\ntitle: R\n---\n\n![Dot](${base}/dot.png)\n\n![Local](http://localhost:1/x.png)\n` });
    const run = runCli(['build', 'doc.md', '--format', 'html', '--allow-remote'], root);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`doc.md:5:1: error: cannot fetch "${base}/dot.png": 127.0.0.1 is an internal address; refused [asset-remote]`);
    expect(run.stderr).toMatch(/doc\.md:7:1: error: cannot fetch "http:\/\/localhost:1\/x\.png": localhost resolves to an internal address \((127\.0\.0\.1|::1)\); refused/);
    expect(hits).toEqual([]);
  });

  it('knows the internal address ranges', async () => {
    const isInternalAddress = await internalAddressCheck();
    for (const address of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '100.64.0.1']) {
      expect(isInternalAddress(address), address).toBe(true);
    }
    for (const address of ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946', '8.8.8.8']) expect(isInternalAddress(address), address).toBe(false);
  });

  it('follow the rules: only http(s), size cap, time limit, bounded redirects', async () => {
    const options = { ...defaultRemoteOptions, allowInternal: true };
    expect(Buffer.from((await fetchRemote(`${base}/dot.png`, options)).bytes).equals(png)).toBe(true);
    expect(Buffer.from((await fetchRemote(`${base}/redirect`, options)).bytes).equals(png)).toBe(true);
    await expect(fetchRemote(`${base}/loop`, options)).rejects.toThrow('more than 3 redirects');
    await expect(fetchRemote(`${base}/big`, { ...options, maxBytes: 1000 })).rejects.toThrow('larger than');
    await expect(fetchRemote(`${base}/slow`, { ...options, timeoutMs: 300 })).rejects.toThrow('within 0.3 s');
    await expect(fetchRemote(`${base}/missing`, options)).rejects.toThrow('the server answered 404');
    await expect(fetchRemote('ftp://example.org/x.png', options)).rejects.toThrow('the ftp: scheme is not fetched');
    await expect(fetchRemote(`${base}/dot.png`)).rejects.toThrow('internal address');
  });
});
