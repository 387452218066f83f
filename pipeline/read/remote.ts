import type { IncomingMessage } from 'node:http';
import type { LookupFunction } from 'node:net';

/**
 * Fetching remote images, only with `--allow-remote`. Only http and https, with a time limit and
 * a size cap, and never from loopback, private, link-local or otherwise internal addresses:
 * the address is checked after DNS resolution, on the very address the socket connects to, so
 * a name that resolves (or re-resolves) to an internal address is refused too.
 */
export interface RemoteOptions {
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  /** Tests only: lets the size, time and redirect rules be exercised against a loopback server. */
  allowInternal?: boolean;
}

export const defaultRemoteOptions: RemoteOptions = { timeoutMs: 10_000, maxBytes: 20 * 1024 * 1024, maxRedirects: 3 };

/**
 * Node's network modules, loaded by the first fetch: most builds fetch nothing, and loading them
 * (TLS, HTTP, DNS, sockets) cost every start about 2 ms.
 */
async function networkModules() {
  const [dns, http, https, net] = await Promise.all([import('node:dns'), import('node:http'), import('node:https'), import('node:net')]);
  return { lookup: dns.lookup, httpRequest: http.request, httpsRequest: https.request, isIP: net.isIP, isInternal: internalAddresses(net) };
}

/** Whether an address lies in a network never fetched from: loopback, private, link-local, multicast, reserved. */
function internalAddresses({ BlockList, isIP }: typeof import('node:net')): (address: string) => boolean {
  const list = new BlockList();
  for (const [network, prefix] of [
    ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
    ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
  ] as const) list.addSubnet(network, prefix, 'ipv4');
  for (const [network, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) {
    list.addSubnet(network, prefix, 'ipv6');
  }
  const isInternal = (address: string): boolean => {
    // An IPv4-mapped IPv6 address is judged by its IPv4 part.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return isInternal(mapped[1]!);
    const family = isIP(address);
    return family === 0 || list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };
  return isInternal;
}

/** The check `fetchRemote` makes of every address, for tests. */
export async function internalAddressCheck(): Promise<(address: string) => boolean> {
  return (await networkModules()).isInternal;
}

/** DNS resolution that refuses a name resolving to an internal address. */
function safeLookup(lookup: typeof import('node:dns').lookup, isInternal: (address: string) => boolean): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as unknown as { address: string; family: number }[];
      const refused = list.find((entry) => isInternal(entry.address));
      if (refused || list.length === 0) {
        return callback(Object.assign(new Error(`${hostname} resolves to an internal address (${refused?.address ?? 'none'}); refused`), { code: 'EREFUSED' }), '', 0);
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (error: null, addresses: unknown) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

export interface Fetched {
  bytes: Uint8Array;
  contentType: string;
}

/** Fetch one URL under the rules above. Resolves to the bytes, or rejects with a reason fit for a message. */
export async function fetchRemote(url: string, options: RemoteOptions = defaultRemoteOptions, redirects = 0): Promise<Fetched> {
  const { lookup, httpRequest, httpsRequest, isIP, isInternal } = await networkModules();
  return new Promise((resolve, reject) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return reject(new Error('not a valid URL'));
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return reject(new Error(`the ${parsed.protocol} scheme is not fetched`));
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    if (!options.allowInternal && isIP(host) && isInternal(host)) return reject(new Error(`${host} is an internal address; refused`));

    const request = (parsed.protocol === 'https:' ? httpsRequest : httpRequest)(parsed, { lookup: options.allowInternal ? undefined : safeLookup(lookup, isInternal), timeout: options.timeoutMs, headers: { 'user-agent': 'colophon' } });
    const timer = setTimeout(() => request.destroy(new Error(`no complete answer within ${options.timeoutMs / 1000} s`)), options.timeoutMs);
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${options.timeoutMs / 1000} s`)));
    request.on('response', (response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location) {
        clearTimeout(timer);
        response.resume();
        if (redirects >= options.maxRedirects) return reject(new Error(`more than ${options.maxRedirects} redirects`));
        return fetchRemote(new URL(response.headers.location, parsed).href, options, redirects + 1).then(resolve, reject);
      }
      if (status !== 200) {
        clearTimeout(timer);
        response.resume();
        return reject(new Error(`the server answered ${status}`));
      }
      const declared = Number(response.headers['content-length'] ?? 0);
      if (declared > options.maxBytes) {
        clearTimeout(timer);
        response.destroy();
        return reject(new Error(`larger than ${options.maxBytes / 1024 / 1024} MB`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) {
          response.destroy(new Error(`larger than ${options.maxBytes / 1024 / 1024} MB`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      response.on('end', () => {
        clearTimeout(timer);
        resolve({ bytes: Buffer.concat(chunks), contentType: String(response.headers['content-type'] ?? '').split(';')[0]!.trim() });
      });
    });
    request.end();
  });
}
