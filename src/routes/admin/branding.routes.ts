import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { CognitoError, invalidParameter } from '../../errors/cognito-error.ts';
import { ALL_CLIENTS } from '../../modules/branding/branding.service.ts';
import { jsonResponse } from '../../plugins/openapi.plugin.ts';
import { problems, ref } from '../../schemas/common.ts';
import { PoolParams } from '../../schemas/pools.ts';
import {
  BrandingParams,
  SetUiCustomizationBody,
  UiCustomizationResponse,
  presentUiCustomization,
} from '../../schemas/web-config.ts';

const security = [{ adminKey: [] }];
const NoContent = Type.Null({ description: 'Done' });

/** Strict base64 (no whitespace or URL alphabet): anything else is refused rather than half read. */
function imageOf(base64: string | undefined): Uint8Array | undefined {
  if (base64 === undefined) return undefined;
  if (base64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(base64))
    throw invalidParameter('imageBase64 must be the image’s bytes, base64-encoded.');
  return Buffer.from(base64, 'base64');
}

/**
 * The managed login pages' branding (SetUICustomization, GetUICustomization; docs/web-sign-in.md,
 * "Branding"): the admin routes, and the logo itself, served to browsers.
 */
export async function brandingRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { branding } = app.services;

  // The logo, for the pages' <img>: public, as Cognito's ImageUrl is. Served so that nothing in it
  // runs even when opened on its own (an SVG is a document): no scripts, sandboxed, never sniffed.
  app.get(
    '/:poolId/ui-customization/:clientId/logo',
    {
      schema: {
        operationId: 'GetUICustomizationLogo',
        tags: ['web-config'],
        summary: 'The logo SetUICustomization set for the client (or ALL), at the ImageUrl it shows',
        security: [],
        params: BrandingParams,
        // The ImageUrl's cache key: it changes with every SetUICustomization.
        querystring: Type.Object(
          { v: Type.Optional(Type.String({ maxLength: 32, description: 'The version in ImageUrl (cache key).' })) },
          { additionalProperties: false },
        ),
        response: {
          200: {
            description: 'The logo',
            content: {
              'image/png': { schema: Type.String({ format: 'binary' }) },
              'image/jpeg': { schema: Type.String({ format: 'binary' }) },
              'image/svg+xml': { schema: Type.String({ format: 'binary' }) },
            },
          },
          ...problems(404),
        },
      },
    },
    async (request, reply) => {
      const logo = await branding.logo(request.params.poolId, request.params.clientId);
      if (!logo) throw new CognitoError('ResourceNotFoundException', 'No logo is set.');
      return (
        reply
          .type(logo.type)
          .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox")
          .header('x-content-type-options', 'nosniff')
          .header('cache-control', 'public, max-age=300')
          // The schema's `binary` string is the bytes themselves (OpenAPI's way to say so).
          .send(logo.bytes as unknown as string)
      );
    },
  );

  await app.register(async (admin) => {
    const routes = admin.withTypeProvider<TypeBoxTypeProvider>();
    routes.addHook('onRequest', admin.requireAdmin);

    const set = {
      tags: ['web-config'],
      security,
      body: ref(SetUiCustomizationBody),
      response: {
        200: jsonResponse('The customization as set', ref(UiCustomizationResponse)),
        ...problems(400, 401, 404, 415),
      },
    };
    const get = {
      tags: ['web-config'],
      security,
      response: {
        200: jsonResponse('The customization in effect', ref(UiCustomizationResponse)),
        ...problems(401, 404),
      },
    };
    const setFor = async (poolId: string, clientId: string, body: { css?: string; imageBase64?: string }) => {
      const image = imageOf(body.imageBase64);
      const shown = await branding.set(poolId, clientId, {
        ...(body.css !== undefined && { css: body.css }),
        ...(image !== undefined && { image }),
      });
      return presentUiCustomization(poolId, clientId, shown);
    };

    routes.put(
      '/v1/pools/:poolId/ui-customization',
      {
        schema: {
          ...set,
          operationId: 'SetUICustomization',
          summary: 'Set the pool’s default CSS and logo (Cognito’s ClientId ALL); the pool needs a domain',
          params: PoolParams,
        },
      },
      async (request) => setFor(request.params.poolId, ALL_CLIENTS, request.body),
    );

    routes.put(
      '/v1/pools/:poolId/ui-customization/:clientId',
      {
        schema: {
          ...set,
          operationId: 'SetUICustomizationForClient',
          summary: 'Set one client’s CSS and logo, in place of the pool’s',
          params: BrandingParams,
        },
      },
      async (request) => setFor(request.params.poolId, request.params.clientId, request.body),
    );

    routes.get(
      '/v1/pools/:poolId/ui-customization',
      {
        schema: {
          ...get,
          operationId: 'GetUICustomization',
          summary: 'The pool’s default CSS and logo',
          params: PoolParams,
        },
      },
      async (request) =>
        presentUiCustomization(
          request.params.poolId,
          ALL_CLIENTS,
          await branding.get(request.params.poolId, ALL_CLIENTS),
        ),
    );

    routes.get(
      '/v1/pools/:poolId/ui-customization/:clientId',
      {
        schema: {
          ...get,
          operationId: 'GetUICustomizationForClient',
          summary: 'The CSS and logo in effect for a client: its own, else the pool’s',
          params: BrandingParams,
        },
      },
      async (request) =>
        presentUiCustomization(
          request.params.poolId,
          request.params.clientId,
          await branding.get(request.params.poolId, request.params.clientId),
        ),
    );

    routes.delete(
      '/v1/pools/:poolId/ui-customization/:clientId',
      {
        schema: {
          operationId: 'DeleteUICustomization',
          tags: ['web-config'],
          summary: 'Remove a client’s own customization (it shows the pool’s again), or ALL’s',
          security,
          params: BrandingParams,
          response: { 204: NoContent, ...problems(400, 401, 404) },
        },
      },
      async (request, reply) => {
        await branding.remove(request.params.poolId, request.params.clientId);
        return reply.status(204).send(null);
      },
    );
  });
}
