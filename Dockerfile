# galera-pilot: the seed post's container, `IMAGE seed` / `IMAGE node HOSTS` (docs/containers.md).
#
# Two build arguments name the images; the container tests substitute local ones made with
# debootstrap (test/support/container-images.ts) and build this same file:
#   BASE_IMAGE  the runtime's Debian 12 (MariaDB 10.11, galera-4 and mariabackup come from Debian)
#   NODE_IMAGE  a Node.js 20 image on Debian 12: it builds the agent and lends its node binary
ARG BASE_IMAGE=debian:bookworm-slim
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Dependencies first: this layer is reused while package*.json are unchanged.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
# Only src/ is in the context (.dockerignore), so tsc compiles the agent alone:
# dist/src/cli/main.js. Then the dev dependencies (TypeScript, ESLint) go.
RUN npx tsc -p tsconfig.json \
 && npm prune --omit=dev --no-audit --no-fund

FROM ${BASE_IMAGE}
# mariadb-server's maintainer scripts would start the service during the build: a policy
# forbids it (debian:bookworm-slim has one already; a base without one gets it for this step).
# The package's postinst also initialises /var/lib/mysql; the agent initialises its own
# datadir on first start and needs the volume empty, so the image's copy is emptied.
# tini is PID 1: Node.js reaps only its own children, and Galera's SST scripts leave
# orphans (socat, mariabackup, pv) that would stay zombies under a Node.js PID 1.
RUN set -eux; \
    created_policy=0; \
    if [ ! -e /usr/sbin/policy-rc.d ]; then \
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; created_policy=1; \
    fi; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      mariadb-server galera-4 mariadb-backup zstd socat rsync pv tini; \
    if [ "$created_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi; \
    apt-get clean; \
    rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/apt/* /var/log/dpkg.log; \
    find /var/lib/mysql -mindepth 1 -delete; \
    chown mysql:mysql /var/lib/mysql; \
    chmod 0750 /var/lib/mysql; \
    printf '# mariadbd runs with the agent config; clients find it on the agent socket\n[client]\nsocket = /run/galera-pilot/mysqld.sock\n' \
      > /etc/mysql/mariadb.conf.d/60-galera-pilot-client.cnf

# The Node.js runtime: one self-contained binary (it needs only libc, libstdc++ and libgcc_s,
# which Debian's base has).
COPY --from=build /usr/local/bin/node /usr/local/bin/node
COPY --from=build /app/package.json /app/package.json
COPY --from=build /app/node_modules /app/node_modules
COPY --from=build /app/dist/src /app/dist/src

# 3306 SQL, 4567 Galera, 4568 IST, 4444 SST, 8080 health and peer API.
EXPOSE 3306 4567 4568 4444 8080
VOLUME /var/lib/mysql
# The agent runs as root (it reaches its mariadbd over the socket as the OS root user) and
# starts mariadbd with --user=mysql. No secret is in the image: pass MYSQL_ROOT_PASSWORD,
# XTRABACKUP_PASSWORD and GALERA_PILOT_CLUSTER_SECRET (or their _FILE forms) at run time.
# tini forwards SIGTERM/SIGINT to the agent, which drains and lets mariadbd leave the cluster;
# give it time: `docker stop -t 150`, compose `stop_grace_period: 150s`.
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/node", "/app/dist/src/cli/main.js"]
CMD ["--help"]
