# smdb-harness as a container: the NemLog-in STS and SMDB (or one of them, `up --role`), configured
# by SMDB_HARNESS_* variables (docs/containers.md). Built from the official Node 20 image.
#
#   docker build -t smdb-harness:local .
#   docker run --rm -p 127.0.0.1:8443:8443 smdb-harness:local          # then https://127.0.0.1:8443/
#
# Build stage: dev dependencies and the TypeScript compiler.
FROM node:20-bookworm-slim AS build
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Run stage: production dependencies and the compiled code only, as the non-root user `node`.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json README.md ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force \
    && mkdir -p /var/lib/smdb-harness && chown node:node /var/lib/smdb-harness
COPY --from=build /build/dist ./dist
COPY scenarios ./scenarios
RUN chmod 755 dist/cli/main.js && ln -s /app/dist/cli/main.js /usr/local/bin/smdb-harness
# Listens on every interface inside the container; state (CA, credentials, registry, SMDB records,
# the client files) in the volume. Set SMDB_HARNESS_TLS_HOSTNAMES to the names clients use.
ENV SMDB_HARNESS_HOST=0.0.0.0 \
    SMDB_HARNESS_PORT=8443 \
    SMDB_HARNESS_STATE_DIR=/var/lib/smdb-harness
USER node
VOLUME ["/var/lib/smdb-harness"]
EXPOSE 8443
# Healthy once /health says ready: every file `up` prints exists and the demo systembruger is provisioned.
HEALTHCHECK --interval=1s --timeout=4s --start-period=120s --retries=3 \
    CMD ["node", "/app/dist/cli/healthcheck.js"]
ENTRYPOINT ["node", "/app/dist/cli/main.js"]
CMD ["up"]
