import type http2 from 'node:http2';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import fastifyPushManifest from '@push-manifest/core/fastify';
import { connect, get1, makeSite, navigate, siteManifest } from '../helpers/push-site.js';

// Fastify is core's (dev and optional peer) dependency, not the root's: load it as core would.
type FastifyInstance = Parameters<typeof fastifyPushManifest>[0];
const Fastify = createRequire(new URL('../../packages/core/package.json', import.meta.url))('fastify') as (options?: { http2?: boolean }) => FastifyInstance;

const site = makeSite();
const apps: FastifyInstance[] = [];
const sessions: http2.ClientHttp2Session[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) s.destroy();
  for (const app of apps.splice(0)) await app.close();
});

async function listen(app: FastifyInstance): Promise<number> {
  apps.push(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as { port: number }).port;
}

function routes(app: FastifyInstance) {
  app.get('/', async (_request, reply) => {
    reply.header('set-cookie', 'app=1');
    return reply.type('text/html').send('<h1>fastify</h1>');
  });
  app.get('/api/data', async () => ({ ok: true }));
}

describe('Fastify plugin', () => {
  it('pushes and hints over HTTP/2 (fastify({ http2: true })), on routes registered after it', async () => {
    const app = Fastify({ http2: true });
    await app.register(fastifyPushManifest, { manifest: siteManifest(), root: site });
    // skip-override: the hook applies to routes outside the plugin's own context.
    routes(app);
    const session = await connect(await listen(app));
    sessions.push(session);
    const nav = await navigate(session, '/');
    expect(nav.status).toBe(200);
    expect(nav.body).toBe('<h1>fastify</h1>');
    expect(nav.events[0]).toBe('informational 103');
    expect(nav.pushes.map((p) => p.path)).toEqual(['/css/app.css', '/fonts/f.woff2', '/js/main.js', '/js/dep.js']);
    for (const p of nav.pushes) expect(nav.events.indexOf(`promise ${p.path}`)).toBeLessThan(nav.events.indexOf('response'));
    expect(nav.headers.link).toContain('</css/app.css>; rel=preload; as=style; nopush, ');
    // The app's cookie and the digest cookie both survive.
    const cookies = (nav.headers['set-cookie'] as unknown as string[]).map((c) => c.split('=')[0]);
    expect(cookies.sort()).toEqual(['app', 'pm_digest']);
    expect(app.pushManifest.stats().pushed).toBe(4);
    // A JSON API call is not a navigation.
    const api = await navigate(session, '/api/data', { accept: 'application/json' });
    expect(api.body).toBe('{"ok":true}');
    expect(api.headers.link).toBeUndefined();
  });

  it('adds Link headers over HTTP/1.1', async () => {
    const app = Fastify();
    await app.register(fastifyPushManifest, { manifest: siteManifest() });
    routes(app);
    const res = await get1(await listen(app), '/');
    expect(res.body).toBe('<h1>fastify</h1>');
    expect(res.early).toEqual([]);
    expect(res.headers.link).toContain('</css/app.css>; rel=preload; as=style; nopush');
  });
});
