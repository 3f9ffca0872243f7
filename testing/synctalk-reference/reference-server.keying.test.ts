import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, test } from 'vitest';
import { closeNow, listenLocal } from '../../src/main/services/platform/net/listen-local.ts';
import { parseKeyColour } from './frame-painter.ts';
import { idealServer, type ReferenceServer } from './reference-server.ts';
import { decodePng, isLoopbackHttp } from './server-keying.ts';
import {
  encodePng,
  getJson,
  kindOf,
  referenceServerFixture,
  sine,
  type TestClient,
} from './test-support.ts';

/**
 * Issue 15, quirks 6 and 7: server-side chroma keying (on in the published avatar_config.json)
 * and the HTTP quirks (500 for an unknown avatar, folder names in /status).
 */

const small = { name: 'small', width: 64, height: 64, keyColor: '#089831' };
const jason = {
  name: 'jason_walley',
  width: 32,
  height: 32,
  keyColor: '#beffba',
  folderName: 'jason',
};
const { start, connect, closeAll } = referenceServerFixture([small, jason]);
const backgroundServers: Server[] = [];

afterEach(async () => {
  await closeAll();
  await Promise.all(backgroundServers.splice(0).map((server) => closeNow(server)));
});

const backgroundColour = [200, 30, 40];

/** A loopback HTTP server with /bg.png (a solid colour) and /broken.png (not an image). */
async function serveBackground(): Promise<string> {
  const rgb = new Uint8Array(8 * 8 * 3);
  for (let index = 0; index < rgb.length; index++) rgb[index] = backgroundColour[index % 3]!;
  const png = encodePng(8, 8, rgb);
  const server = createServer((req, res) => {
    if (req.url === '/bg.png') res.writeHead(200, { 'content-type': 'image/png' }).end(png);
    else res.writeHead(200, { 'content-type': 'text/plain' }).end('not an image');
  });
  backgroundServers.push(server);
  const { url } = await listenLocal(server, 0, '127.0.0.1');
  return url;
}

/** The top-right corner pixel (outside the silhouette and the marker) of the first frame. */
async function cornerPixel(server: ReferenceServer, query: string): Promise<number[]> {
  const client: TestClient = await connect(server, `sample_rate=16000&${query}`);
  client.sendMarker('start_of_stream');
  client.sendAudio(sine(8000, 16000), 1600);
  client.sendMarker('end_of_stream');
  await client.waitFor(
    (messages) => messages.some((entry) => kindOf(entry.message) === 'frame'),
    'a frame',
  );
  const frame = client.messages.find((entry) => kindOf(entry.message) === 'frame')!.message;
  const video = frame.video_bytes!;
  const offset = 63 * 3; // x 63, y 0
  return [video[offset]!, video[offset + 1]!, video[offset + 2]!];
}

describe('quirk 6: server-side keying (serverKeying)', () => {
  test('on, no background_url: the published default cannot be fetched here, so black', async () => {
    const server = await start();
    expect(await cornerPixel(server, 'avatar_name=small')).toEqual([0, 0, 0]);
    const streams = (await getJson(server, '/streams')).body as {
      active_streams: Record<string, unknown>;
    };
    const [streamId] = Object.keys(streams.active_streams);
    expect((await getJson(server, `/streams/${streamId}`)).body).toMatchObject({
      has_chroma_key: true,
      background_url: null,
    });
  });

  test('on, a loopback http background_url serving a PNG: keyed onto that image', async () => {
    const server = await start();
    const base = await serveBackground();
    const query = `avatar_name=small&background_url=${encodeURIComponent(`${base}/bg.png`)}`;
    expect(await cornerPixel(server, query)).toEqual(backgroundColour);
  });

  test('on, a background_url the server cannot use (data:, not an image): black', async () => {
    const server = await start();
    const base = await serveBackground();
    const dataUrl = 'data:image/png;base64,iVBORw0KGgo=';
    for (const url of [dataUrl, `${base}/broken.png`]) {
      const query = `avatar_name=small&background_url=${encodeURIComponent(url)}`;
      expect(await cornerPixel(server, query), url).toEqual([0, 0, 0]);
    }
  });

  test('off: the frames keep the key colour and background_url is only reported', async () => {
    const server = await start({ faults: { serverKeying: false } });
    const base = await serveBackground();
    const query = `avatar_name=small&background_url=${encodeURIComponent(`${base}/bg.png`)}`;
    expect(await cornerPixel(server, query)).toEqual([...parseKeyColour('#089831')]);
  });

  test('only loopback http is fetched; PNG decoding round-trips', () => {
    expect(isLoopbackHttp('http://127.0.0.1:9/bg.png')).toBe(true);
    expect(isLoopbackHttp('http://localhost/bg.png')).toBe(true);
    expect(isLoopbackHttp('https://devprofjim.blob.core.windows.net/x.webp')).toBe(false);
    expect(isLoopbackHttp('http://10.0.0.1/bg.png')).toBe(false);
    expect(isLoopbackHttp('file:///tmp/bg.png')).toBe(false);
    const rgb = Uint8Array.from({ length: 3 * 5 * 4 }, (_, index) => (index * 37) % 256);
    expect(decodePng(encodePng(5, 4, rgb))).toEqual({ width: 5, height: 4, rgb });
  });
});

describe('quirk 7: HTTP (loadModelUnknown500, folder names)', () => {
  test('on: POST /load_model for an unknown avatar is a 500 whose detail says 404', async () => {
    const server = await start();
    const res = await fetch(`${server.url}/load_model`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model_name: 'nobody' }),
    });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({
      detail: "Failed to load model: 404: Avatar 'nobody' not found in config",
    });
  });

  test('off: a plain 404', async () => {
    const server = await start({ faults: { ...idealServer } });
    const res = await fetch(`${server.url}/load_model`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model_name: 'nobody' }),
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: "Avatar 'nobody' not found in config" });
  });

  test("/status lists an avatar's folder name, which need not match its name", async () => {
    const server = await start({ preloaded: ['small', 'jason_walley'] });
    const status = (await getJson(server, '/status')).body as { loaded_models: string[] };
    expect(status.loaded_models).toEqual(['Small-dataset', 'jason']);
  });
});
