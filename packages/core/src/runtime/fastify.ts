/**
 * `@push-manifest/core/fastify`: the push handler as a Fastify 5 plugin. Fastify is an optional
 * peer: only its types are imported, and the plugin marks itself with `Symbol.for('skip-override')`
 * (what `fastify-plugin` does) so its hook applies to the whole instance without that dependency.
 *
 * With `fastify({ http2: true })` it pushes and sends 103s; over HTTP/1.1 it adds Link headers.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createPushHandler, prepareCompat, type PushHandler, type PushHandlerOptions } from './handler.js';
import type { AddedHeaders } from './push-runtime.js';

/** Plugin options: the handler's options, or a handler made elsewhere (it is then not closed with Fastify). */
export interface FastifyPushManifestOptions extends PushHandlerOptions {
  handler?: PushHandler;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The push handler the plugin registered (stats, reload). */
    pushManifest: PushHandler;
  }
}

function applyToReply(reply: FastifyReply, added: AddedHeaders): void {
  if (added.link !== undefined) reply.header('link', added.link);
  // Fastify appends set-cookie values rather than replacing them.
  if (added.setCookie !== undefined) reply.header('set-cookie', added.setCookie);
  if (added.promised !== undefined) reply.header('x-http2-push-promise', added.promised);
}

/** Register with `app.register(fastifyPushManifest, { manifestPath, root })`. */
async function fastifyPushManifest(fastify: FastifyInstance, options: FastifyPushManifestOptions): Promise<void> {
  const { handler: given, ...handlerOptions } = options;
  const handler = given ?? (await createPushHandler(handlerOptions));
  const { runtime } = handler;
  fastify.decorate('pushManifest', handler);
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    prepareCompat(runtime, request.raw, reply.raw, (added) => applyToReply(reply, added), () => done());
  });
  if (given === undefined) fastify.addHook('onClose', async () => handler.close());
}

// What fastify-plugin sets: no encapsulation (the hook covers every route), and a readable name.
Object.assign(fastifyPushManifest, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@push-manifest/fastify',
  [Symbol.for('plugin-meta')]: { name: '@push-manifest/fastify', fastify: '5.x' },
});

export { fastifyPushManifest };
export default fastifyPushManifest;
