#!/usr/bin/env bash
# Copied into the repository (unchanged below this note) from the project's shared CI material,
# ../shared/ci/setup-docker.sh, so that CI depends on nothing outside the repository. .ci/run calls it.
# setup-docker.sh - idempotent Docker set-up for CI on this kind of machine: Debian 12, root, no systemd,
# only the npm registry and Debian's mirror reachable (no image registry). Verified cold ~50 s, warm ~3 s.
#   eval "$(bash setup-docker.sh)"   install + start dockerd + build local images; prints env exports on stdout
#   bash setup-docker.sh stop        stop the dockerd (by the PID in /var/run/docker.pid)
# Images made (no network): $BASE_TAG = Debian userland copied from the host's own dpkg files + the host's node/npm;
# $RYUK_TAG = a small Ryuk-compatible reaper for testcontainers (the real testcontainers/ryuk cannot be pulled).
set -euo pipefail
BASE_TAG=${BASE_TAG:-node:20-bookworm-slim}   # a local stand-in under the official name: Dockerfiles stay standard
RYUK_TAG=${RYUK_TAG:-local/ryuk:node}
DOCKERD_LOG=${DOCKERD_LOG:-/var/log/dockerd.log}
DOCKERD_FLAGS=${DOCKERD_FLAGS:---ip=127.0.0.1}   # published ports of the default bridge on loopback only
PIDFILE=/var/run/docker.pid
T0=${EPOCHREALTIME/./}
log() { local ms=$(( (${EPOCHREALTIME/./} - T0) / 1000 )); printf '[setup-docker %d.%03ds] %s\n' $((ms / 1000)) $((ms % 1000)) "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

dockerd_pid() { local p; p=$(cat "$PIDFILE" 2>/dev/null || true); [ -n "$p" ] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = dockerd ] && echo "$p"; return 0; }

if [ "${1:-}" = stop ]; then
  pid=$(dockerd_pid)
  [ -n "$pid" ] || { log "no dockerd running"; exit 0; }
  log "stopping dockerd (pid $pid)"; kill -TERM "$pid"
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && { log "dockerd still alive after 30 s, SIGKILL"; kill -KILL "$pid"; }
  log "dockerd stopped"; exit 0
fi

# 1. Engine + compose from Debian (bookworm: docker.io 20.10.24, containerd 1.6.20, runc 1.1.5, docker-compose 1.29.2).
#    There is no compose v2 / buildx package in bookworm. /usr/local/bin/docker (static CLI 28.2.2 shipped with the
#    image, no daemon) stays first in PATH and talks to the 20.10 daemon fine (API 1.41).
pkgs=()
[ -x /usr/sbin/dockerd ] || pkgs+=(docker.io)
[ -x /usr/bin/docker-compose ] || pkgs+=(docker-compose)
if [ ${#pkgs[@]} -gt 0 ]; then
  log "apt-get install ${pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >&2   # policy-rc.d stops the service auto-start
fi

# 2. `docker compose ...` -> docker-compose v1 shim (CLI plugin), so scripts written for v2 syntax run.
PLUG=/usr/local/lib/docker/cli-plugins/docker-compose
if [ ! -x "$PLUG" ]; then
  mkdir -p "${PLUG%/*}"
  cat > "$PLUG" <<'EOF'
#!/bin/sh
# `docker compose ...` -> Debian's docker-compose v1 (no compose v2 package in bookworm).
if [ "$1" = docker-cli-plugin-metadata ]; then
  printf '{"SchemaVersion":"0.1.0","Vendor":"local shim","Version":"1.29.2","ShortDescription":"Docker Compose (v1 via shim)"}\n'
  exit 0
fi
[ "$1" = compose ] && shift
exec /usr/bin/docker-compose "$@"
EOF
  chmod 755 "$PLUG"
fi

# 3. dockerd in the background (no systemd here). Defaults work: overlay2 on ext4, cgroupfs (cgroup v1), iptables-nft.
if docker info >/dev/null 2>&1; then
  log "dockerd already running"
else
  [ -n "$(dockerd_pid)" ] || rm -f "$PIDFILE"                     # stale pid file from a killed daemon
  if [ -z "$(dockerd_pid)" ]; then
    mkdir -p "${DOCKERD_LOG%/*}"
    # stdout/stderr to the log: an inherited stdout would hang `eval "$(bash setup-docker.sh)"` forever
    # shellcheck disable=SC2086
    setsid /usr/sbin/dockerd $DOCKERD_FLAGS >>"$DOCKERD_LOG" 2>&1 </dev/null &
    log "started dockerd (pid $!), log $DOCKERD_LOG"
  fi
  for _ in $(seq 1 300); do docker info >/dev/null 2>&1 && break; sleep 0.2; done
  docker info >/dev/null 2>&1 || { tail -n 30 "$DOCKERD_LOG" >&2; die "dockerd did not come up in 60 s"; }
  log "dockerd ready: $(docker info -f '{{.ServerVersion}} {{.Driver}} cgroup-v{{.CgroupVersion}}')"
fi

# 4. Base image from the host's own files (~5 s). debootstrap/mmdebstrap from the mirror also work but take
#    2-5 min here (every process start costs ~30 ms and dpkg's maintainer scripts start thousands).
NODE_VER=$(node -v)
if [ "$(docker image inspect -f '{{index .Config.Labels "local.node-version"}}' "$BASE_TAG" 2>/dev/null)" = "$NODE_VER" ]; then
  log "$BASE_TAG present (node $NODE_VER)"
else
  log "building $BASE_TAG from host files"
  STAGE=$(mktemp -d /dev/shm/nodebase.XXXXXX)    # tmpfs: file deletes on this disk are slow
  trap 'rm -rf "$STAGE"' EXIT
  want="base-files libc6 libgcc-s1 libstdc++6 dash bash coreutils grep sed mawk findutils gzip tar debianutils netbase hostname tini"
  # Depends/Pre-Depends closure of installed packages (first installed alternative), computed in one awk
  have=$(dpkg-query -W -f='${db:Status-Abbrev}\t${Package}\t${Depends}, ${Pre-Depends}\n' | awk -F'\t' -v want="$want" '
    $1 ~ /^ii/ { inst[$2]=1; dep[$2]=$3 }
    END {
      n=split(want, q, " "); for (i=1;i<=n;i++) if (q[i] in inst) { seen[q[i]]=1; todo[++t]=q[i] }
      for (h=1; h<=t; h++) { m=split(dep[todo[h]], d, ",")
        for (j=1;j<=m;j++) { k=split(d[j], alt, "|")
          for (a=1;a<=k;a++) { x=alt[a]; gsub(/\([^)]*\)|:any| /, "", x)
            if (x in inst) { if (!(x in seen)) { seen[x]=1; todo[++t]=x }; break } } } }
      for (h=1;h<=t;h++) printf "%s ", todo[h] }')
  # shellcheck disable=SC2086
  dpkg -L $have | sed -E 's#^/(bin|sbin|lib|lib64)/#/usr/\1/#' \
    | grep -vE '^/usr/share/(doc|man|info|locale|lintian|bug|bash-completion)/|^/\.$' | sort -u \
    | while IFS= read -r f; do if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\n' "$f"; fi; done > "$STAGE/list"
  # host CA bundle includes the registry proxy's CA: with NODE_EXTRA_CA_CERTS, `RUN npm ci` works in builds
  printf '%s\n' /usr/bin/node /usr/bin/npm /usr/bin/npx /usr/bin/corepack /etc/ssl/certs/ca-certificates.crt >> "$STAGE/list"
  R=$STAGE/root; mkdir -p "$R"
  tar -C / -cf - --no-recursion -T "$STAGE/list" 2>/dev/null | tar -C "$R" -xf -
  tar -C / -cf - usr/lib/node_modules | tar -C "$R" -xf -        # npm/corepack as installed on the host
  for d in bin sbin lib lib64; do [ -d "$R/usr/$d" ] && ln -sfn "usr/$d" "$R/$d"; done
  [ -e "$R/usr/bin/awk" ] || ln -s mawk "$R/usr/bin/awk"
  [ -e "$R/usr/bin/sh" ] || ln -s dash "$R/usr/bin/sh"
  mkdir -p "$R"/{etc,root,home,proc,sys,dev,run,var/tmp,usr/local/bin} && chmod 1777 "$R/var/tmp" && chmod 700 "$R/root"
  mkdir -p -m 1777 "$R/tmp"
  printf 'root:x:0:0:root:/root:/bin/bash\nnode:x:1000:1000::/home/node:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' > "$R/etc/passwd"
  printf 'root:x:0:\nnode:x:1000:\nnogroup:x:65534:\n' > "$R/etc/group"
  mkdir -p "$R/home/node" && chown 1000:1000 "$R/home/node"
  printf 'hosts: files dns\npasswd: files\ngroup: files\n' > "$R/etc/nsswitch.conf"
  tar -C "$R" -cf - . | docker import -c "LABEL local.node-version=$NODE_VER" \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' -c 'CMD ["/bin/bash"]' - "$BASE_TAG" >/dev/null
  rm -rf "$STAGE"; trap - EXIT
  docker run --rm "$BASE_TAG" node -e 'process.exit(0)' || die "$BASE_TAG does not run node"
  docker image rm -f "$RYUK_TAG" >/dev/null 2>&1 || true              # rebuild it on the new base
  log "built $BASE_TAG ($(docker image inspect -f '{{.Size}}' "$BASE_TAG" | awk '{printf "%d MB", $1/1e6}'))"
fi

# 5. Ryuk-compatible reaper image for testcontainers (used via RYUK_CONTAINER_IMAGE).
if docker image inspect "$RYUK_TAG" >/dev/null 2>&1; then
  log "$RYUK_TAG present"
else
  log "building $RYUK_TAG"
  CTX=$(mktemp -d /dev/shm/ryuk.XXXXXX)
  printf 'FROM %s\nLABEL org.testcontainers.ryuk=true\nCOPY ryuk.js /ryuk.js\nEXPOSE 8080\nCMD ["node", "/ryuk.js"]\n' "$BASE_TAG" > "$CTX/Dockerfile"
  cat > "$CTX/ryuk.js" <<'EOF'
// Ryuk-compatible reaper (protocol of testcontainers/moby-ryuk). Clients send "label=k=v&label=k2=v2\n" lines and
// get "ACK\n". When the last client has been gone RYUK_RECONNECTION_TIMEOUT (10s), or none came within
// RYUK_CONNECTION_TIMEOUT (60s), it removes the matching containers, networks, volumes and images, then exits.
'use strict';
const net = require('net'), http = require('http'), os = require('os');
const SOCK = '/var/run/docker.sock', PORT = Number(process.env.RYUK_PORT || 8080);
const dur = (v, d) => { const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v || ''); return m ? Number(m[1]) * { ms: 1, s: 1e3, m: 6e4 }[m[2] || 's'] : d; };
const RECONNECT_MS = dur(process.env.RYUK_RECONNECTION_TIMEOUT, 10000), CONNECT_MS = dur(process.env.RYUK_CONNECTION_TIMEOUT, 60000);
const verbose = process.env.RYUK_VERBOSE === 'true', self = os.hostname(), filters = new Map();
const api = (method, path) => new Promise((resolve) => {
  const req = http.request({ socketPath: SOCK, method, path, headers: { Host: 'docker' } }, (res) => {
    let b = ''; res.on('data', (c) => (b += c));
    res.on('end', () => { let j = null; try { j = b ? JSON.parse(b) : null; } catch { j = b; } resolve({ status: res.statusCode, body: j }); });
  });
  req.on('error', (e) => resolve({ status: 0, body: String(e) })); req.end();
});
const q = (f) => encodeURIComponent(JSON.stringify(f));
async function prune() {
  const n = { containers: 0, networks: 0, volumes: 0, images: 0 };
  for (const f of filters.values())
    for (const c of (await api('GET', `/containers/json?all=1&filters=${q(f)}`)).body || [])
      if (!c.Id.startsWith(self) && (await api('DELETE', `/containers/${c.Id}?force=1&v=1`)).status < 300) n.containers++;
  for (const f of filters.values()) {
    for (let i = 0; i < 5; i++) {
      let failed = 0;
      for (const x of (await api('GET', `/networks?filters=${q(f)}`)).body || [])
        if ((await api('DELETE', `/networks/${x.Id}`)).status < 300) n.networks++; else failed++;
      if (!failed) break; await new Promise((r) => setTimeout(r, 1000));
    }
    for (const v of ((await api('GET', `/volumes?filters=${q(f)}`)).body || {}).Volumes || [])
      if ((await api('DELETE', `/volumes/${encodeURIComponent(v.Name)}`)).status < 300) n.volumes++;
    for (const im of (await api('GET', `/images/json?filters=${q(f)}`)).body || [])
      if ((await api('DELETE', `/images/${im.Id}?force=1`)).status < 300) n.images++;
  }
  console.log(`Removed ${n.containers} container(s), ${n.networks} network(s), ${n.volumes} volume(s), ${n.images} image(s)`);
}
let clients = 0, timer = null;
const arm = (ms) => { clearTimeout(timer); timer = setTimeout(async () => { await prune(); process.exit(0); }, ms); };
net.createServer((sock) => {
  clients++; clearTimeout(timer); let buf = '', gone = false;
  sock.on('data', (d) => {
    buf += d; let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).replace(/\r$/, ''); buf = buf.slice(i + 1);
      if (!line) continue;
      const f = {}; for (const [k, v] of new URLSearchParams(line)) (f[k] = f[k] || []).push(v);
      filters.set(JSON.stringify(f), f); if (verbose) console.log('filter', JSON.stringify(f));
      sock.write('ACK\n');
    }
  });
  const bye = () => { if (gone) return; gone = true; if (--clients === 0) arm(RECONNECT_MS); };
  sock.on('close', bye); sock.on('error', bye);
}).listen(PORT, () => { console.log(`Started! listening on ${PORT}`); arm(CONNECT_MS); });
for (const s of ['SIGTERM', 'SIGINT']) process.on(s, async () => { await prune(); process.exit(0); });
EOF
  # BuildKit works offline with a local FROM tag only through the 20.10 CLI (the 28.2.2 CLI needs buildx for it)
  DOCKER_BUILDKIT=1 /usr/bin/docker build -q -t "$RYUK_TAG" "$CTX" >/dev/null || die "building $RYUK_TAG failed"
  rm -rf "$CTX"
fi

log "done"
# env for testcontainers (stdout, for eval): /.dockerenv exists on this machine, so without the override
# testcontainers thinks it runs in a container and tries to pull alpine:3.14 to find a gateway
cat <<EOF
export TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1
export RYUK_CONTAINER_IMAGE=$RYUK_TAG
EOF
