import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { invalidParameter } from '../errors/cognito-error.ts';
import { findUnstorableText } from '../lib/unstorable-text.ts';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/**
 * Unknown members are errors, never silently stripped, and JSON bodies are taken as typed:
 * `"username": 5` is refused rather than coerced. Query strings are text, so there (only)
 * values are coerced, and a single `?name=a` becomes the array `['a']`.
 */
export const validationPlugin = fp(
  async (app: FastifyInstance) => {
    const options = { allErrors: false, removeAdditional: false, useDefaults: true, strict: false } as const;
    const body = addFormats(new Ajv({ ...options, coerceTypes: false }));
    const text = addFormats(new Ajv({ ...options, coerceTypes: 'array' }));
    // Named components (app.addSchema, by $id) are shared with these validators when routes compile.
    const known = new Set<string>();
    // Compiled at a route's first request, not at start: compiling every route's validators up
    // front was a large part of a start's CPU (docs/performance.md, "Start-up").
    app.setValidatorCompiler(({ schema, httpPart }) => {
      let validate: ValidateFunction | undefined;
      const lazy = (data: unknown) => {
        if (!validate) {
          for (const [id, shared] of Object.entries(app.getSchemas())) {
            if (known.has(id)) continue;
            known.add(id);
            body.addSchema(shared as object, id);
            text.addSchema(shared as object, id);
          }
          validate = (httpPart === 'body' ? body : text).compile(schema);
        }
        const valid = validate(data);
        // Fastify reads the errors from the function it was given.
        lazy.errors = validate.errors;
        return valid;
      };
      lazy.errors = undefined as ValidateFunction['errors'];
      return lazy;
    });
    // A documented route that declares no query takes none: `?limit=5` is an unknown member, not silently ignored.
    app.addHook('onRoute', (route) => {
      if (route.schema && !route.schema.hide && !route.schema.querystring) {
        route.schema = {
          ...route.schema,
          querystring: { type: 'object', properties: {}, additionalProperties: false },
        };
      }
    });
    app.addHook('preValidation', async (request) => {
      for (const [part, value] of [
        ['params', request.params],
        ['querystring', request.query],
        ['body', request.body],
      ] as const) {
        const path = findUnstorableText(value, part);
        if (path) {
          throw invalidParameter(
            `1 validation error detected: Value at '${path}' failed to satisfy constraint: Member must not contain NUL characters or unpaired surrogates`,
          );
        }
      }
    });
  },
  { name: 'validation' },
);
