# Samenspel: the same single process as `npm start`, with its data on a volume.
#
#   docker build -t samenspel .
#   docker run -p 3000:3000 -v samenspel-data:/data samenspel
#
# By default the embedded SQLite file lives at /data/samenspel.db. To run several instances
# against PostgreSQL, set DATABASE_URL=postgres://user:password@host:5432/samenspel instead.
# Demo regions and accounts (known passwords!) are NOT loaded in production; set
# SAMENSPEL_DEMO=true to try the image with demo data.

# ---------------------------------------------------------------------------------------------
# Build stage: install everything, build the Remix app, then drop the dev dependencies.
# ---------------------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS build

# better-sqlite3 compiles its native addon from source when no prebuilt binary fits.
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so this layer is reused while only the source changes.
# (NODE_ENV is not set here: `npm ci` would then skip the dev dependencies the build needs.)
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY . .

# `remix vite:build` -> build/client (static assets) and build/server (the request handler).
RUN npm run build

# The server runs TypeScript through tsx, which is a regular dependency and so survives this.
RUN npm prune --omit=dev --no-audit --no-fund

# ---------------------------------------------------------------------------------------------
# Runtime stage: node_modules, the build output and the server sources; no compilers.
# ---------------------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS runtime

ENV NODE_ENV=production \
    PORT=3000 \
    DATABASE_URL=sqlite:/data/samenspel.db
# SAMENSPEL_DEMO is deliberately unset: demo data stays off in production unless
# SAMENSPEL_DEMO=true is passed at `docker run`.

WORKDIR /app

# Application files stay owned by root (read-only for the app user); only /data is writable.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/build ./build
COPY --from=build /app/server ./server
COPY --from=build /app/db ./db
COPY --from=build /app/content ./content
# tsconfig.json is optional (the glob lets the copy succeed without it); tsx reads it when present.
COPY --from=build /app/package.json /app/LICENSE /app/tsconfig.json* ./

RUN mkdir -p /data && chown node:node /data
VOLUME /data

USER node

EXPOSE 3000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"

CMD ["node_modules/.bin/tsx", "server/main.ts"]
