# Cognate from this repository: `docker compose up` builds and runs it with PostgreSQL and mailpit.
# The first stage compiles src/ to dist/ (TypeScript is a dev dependency); the image runs that
# JavaScript with the production dependencies only, and holds no TypeScript sources.
# Both stages on one Node LTS line that is still supported (Node 24: until April 2028; Node 20's
# support ended in April 2026); the code itself still runs on Node >= 20.10 (package.json engines).
# test/contract/production-build.test.ts checks that every stage is on the same even major >= 22.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
# Not set, measured: glibc keeps the 19 MiB each argon2id hash takes on every libuv thread (about
# 85 MiB of RSS after a few sign-ins). MALLOC_MMAP_THRESHOLD_=131072 gives it back, but faulting
# fresh pages in for every hash costs ~40 % more CPU per sign-in; UV_THREADPOOL_SIZE=2 keeps half.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY migrations ./migrations
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:3000/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# The worker apart: the same image with `node dist/cli/worker.js`; migrations alone: `node dist/cli/migrate.js`.
CMD ["node", "dist/server.js"]
