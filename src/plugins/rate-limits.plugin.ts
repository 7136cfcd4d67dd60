import rateLimit, { normalizeIP, type FastifyRateLimitStore } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { CognitoError } from '../errors/cognito-error.ts';
import { TARGET_PREFIX } from '../modules/cognito-protocol/protocol.ts';
import type { Services } from '../services.ts';
import {
  callerKey,
  cognitoLimitedCall,
  ipKey,
  LIMIT_KINDS,
  restTargets,
  targetKey,
  type LimitKind,
} from '../modules/rate-limits/policy.ts';

/** `targets`: names from the body, counted per client address; `caller`: the signed-in user, counted per user. */
type Targets = { scope?: string; targets: string[]; caller?: string };
type PreHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * A preHandler counting the request against its kind's limits: per client address, and per
     * user or address it names (by default `username`, and for sign-up its email and phone, from
     * the body) from that client address; see docs/limits.md.
     */
    rateLimited(kind: LimitKind, targets?: (request: FastifyRequest) => Targets): PreHandler;
    /** The same for the Cognito face: the action comes from X-Amz-Target, the targets from its input. */
    cognitoRateLimited: PreHandler;
  }
}

/** The caller's address as limits and lockouts see it: an IPv6 caller is its /64, as it usually owns one. */
export function sourceOf(request: FastifyRequest): string {
  return normalizeIP(request.ip);
}

const SWEEP_INTERVAL_MS = 60_000;

/**
 * Rate limits through @fastify/rate-limit with a PostgreSQL store, so every Cognate process on
 * the database counts in one set of counters. A request may be counted against several keys
 * (its address, each user or address it names), so limits are applied with createRateLimit
 * from a preHandler (the body is parsed by then), not as the plugin's one-key route hook.
 */
export const rateLimitsPlugin = fp(
  async (app: FastifyInstance) => {
    // Absent when the app is built only to describe its routes (openapi.yaml): nothing to limit then.
    const limits = app.services.rateLimits as Services['rateLimits'] | undefined;
    if (!limits?.policy.enabled) {
      const none: PreHandler = async () => {};
      app.decorate('rateLimited', () => none);
      app.decorate('cognitoRateLimited', none);
    } else {
      const { policy, counters } = limits;
      class PostgresStore implements FastifyRateLimitStore {
        incr(
          key: string,
          callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
          timeWindow: number,
        ) {
          counters.hit(key, timeWindow).then(
            ({ hits, resetsAt }) =>
              callback(null, { current: hits, ttl: Math.max(0, resetsAt.getTime() - Date.now()) }),
            (error: Error) => callback(error),
          );
        }
        child() {
          return this;
        }
      }
      await app.register(rateLimit, { global: false, store: PostgresStore });

      // createRateLimit takes its key from the request; the key of the check under way is set here first.
      const keys = new WeakMap<FastifyRequest, string>();
      const limiter = (max: number, windowSeconds: number) => {
        const run = app.createRateLimit({
          max,
          timeWindow: windowSeconds * 1000,
          keyGenerator: (request) => keys.get(request)!,
        });
        return (request: FastifyRequest, key: string) => {
          keys.set(request, key);
          return run(request);
        };
      };
      const limiters = Object.fromEntries(
        LIMIT_KINDS.map((kind) => {
          const { perIp, perTarget, windowSeconds } = policy.kinds[kind];
          return [
            kind,
            {
              ip: perIp > 0 ? limiter(perIp, windowSeconds) : undefined,
              target: perTarget > 0 ? limiter(perTarget, windowSeconds) : undefined,
            },
          ];
        }),
      ) as Record<LimitKind, { ip?: ReturnType<typeof limiter>; target?: ReturnType<typeof limiter> }>;

      const enforce = async (
        request: FastifyRequest,
        reply: FastifyReply,
        kind: LimitKind,
        { scope, targets, caller }: Targets,
      ) => {
        const { ip, target } = limiters[kind];
        const source = sourceOf(request);
        const checks: [ReturnType<typeof limiter>, string][] = [];
        if (ip) checks.push([ip, ipKey(kind, source)]);
        // Per name AND address: a name counted alone would let anyone lock its user out everywhere (docs/limits.md).
        if (target) for (const name of new Set(targets)) checks.push([target, targetKey(kind, scope, name, source)]);
        if (target && caller) checks.push([target, callerKey(kind, caller)]);
        for (const [run, key] of checks) {
          const result = await run(request, key);
          if (!result.isAllowed && result.isExceeded) {
            reply.header('retry-after', String(Math.max(1, result.ttlInSeconds)));
            throw new CognitoError('TooManyRequestsException', 'Rate exceeded');
          }
        }
      };

      app.decorate('rateLimited', (kind: LimitKind, targets?: (request: FastifyRequest) => Targets): PreHandler => {
        return (request, reply) =>
          enforce(request, reply, kind, targets ? targets(request) : restTargets(kind, request.body));
      });

      app.decorate('cognitoRateLimited', async (request: FastifyRequest, reply: FastifyReply) => {
        const header = request.headers['x-amz-target'];
        if (typeof header !== 'string' || !header.startsWith(TARGET_PREFIX)) return;
        let input: unknown;
        try {
          input = typeof request.body === 'string' && request.body.trim() !== '' ? JSON.parse(request.body) : {};
        } catch {
          return; // The action refuses it as a SerializationException, at no cost.
        }
        const call = cognitoLimitedCall(header.slice(TARGET_PREFIX.length), input);
        if (!call) return;
        let caller: string | undefined;
        if (call.accessToken) {
          // Counted against the signed-in user; a token that does not authenticate is refused by the action itself.
          caller = (await app.services.sessions.authenticate(call.accessToken).catch(() => undefined))?.user.id;
        }
        await enforce(request, reply, call.kind, {
          ...(call.scope !== undefined && { scope: call.scope }),
          targets: call.targets,
          ...(caller && { caller }),
        });
      });
    }

    // Passed windows and forgotten lockouts are deleted now and then (each process does it; deletes are idempotent).
    let sweeper: NodeJS.Timeout | undefined;
    const sweep = async () => {
      await limits!.counters.sweep();
      await limits!.lockout.sweep();
    };
    app.addHook('onReady', async () => {
      if (!limits) return;
      sweeper = setInterval(() => {
        sweep().catch((error: unknown) => app.log.debug({ err: error }, 'rate-limit sweep failed'));
      }, SWEEP_INTERVAL_MS);
      sweeper.unref();
    });
    app.addHook('onClose', async () => clearInterval(sweeper));
  },
  { name: 'rate-limits', dependencies: ['services'] },
);
