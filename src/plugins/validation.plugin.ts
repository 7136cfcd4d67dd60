import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { invalidParameter } from '../errors/cognito-error.ts';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

// PostgreSQL text cannot hold U+0000 (the insert fails: a 500), and an unpaired surrogate is
// silently stored as U+FFFD, so the value read back would differ from the value given.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The path of the first string (member name or value) that cannot be stored as text, if any. */
export function findUnstorableText(root: unknown, rootPath: string): string | undefined {
  // Iterative, and the path is only spelled out when found: a JSON body may nest deeper than
  // the call stack allows, and building every path eagerly would cost depth² characters.
  interface Step { value: unknown; key: string; parent?: Step }
  const pathOf = (step: Step | undefined): string => {
    const keys: string[] = [];
    for (let s = step; s; s = s.parent) keys.push(s.key);
    return keys.reverse().join('.');
  };
  const stack: Step[] = [{ value: root, key: rootPath }];
  while (stack.length > 0) {
    const step = stack.pop()!;
    const { value } = step;
    if (typeof value === 'string') {
      if (UNSTORABLE.test(value)) return pathOf(step);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, member] of Object.entries(value)) {
        const child = { value: member, key, parent: step };
        if (UNSTORABLE.test(key)) return pathOf(child);
        stack.push(child);
      }
    }
  }
  return undefined;
}

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
    app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? body : text).compile(schema));
    // A documented route that declares no query takes none: `?limit=5` is an unknown member, not silently ignored.
    app.addHook('onRoute', (route) => {
      if (route.schema && !route.schema.hide && !route.schema.querystring) {
        route.schema = { ...route.schema, querystring: { type: 'object', properties: {}, additionalProperties: false } };
      }
    });
    app.addHook('preValidation', async (request) => {
      for (const [part, value] of [['params', request.params], ['querystring', request.query], ['body', request.body]] as const) {
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
