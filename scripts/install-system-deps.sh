#!/usr/bin/env bash
# Install the Debian packages of scripts/system-deps.txt whose programs are missing (as root, or
# with sudo). Nothing to do when everything is there; one clear line when it cannot install.
#   scripts/install-system-deps.sh        what the test suite needs (everything listed)
#   scripts/install-system-deps.sh run    only what serving the app needs
set -euo pipefail
cd "$(dirname "$0")/.."

# PostgreSQL's server programs live in /usr/lib/postgresql/<version>/bin, outside PATH.
want="${1:-test}"
have() {
  local program="$1"
  [[ "$program" == /* ]] && { compgen -G "$program" >/dev/null; return; }
  command -v "$program" >/dev/null && return
  compgen -G "/usr/lib/postgresql/*/bin/$program" >/dev/null
}

need=()
while read -r package for programs; do
  [[ -z "$package" || "$package" == \#* ]] && continue
  [[ "$want" == run && "$for" != run ]] && continue
  for program in $programs; do
    if ! have "$program"; then need+=("$package"); break; fi
  done
done <scripts/system-deps.txt
((${#need[@]})) || exit 0

sudo_cmd=()
if [[ "$(id -u)" != "0" ]]; then
  if ! command -v sudo >/dev/null || ! sudo -n true 2>/dev/null; then
    echo "system-deps: missing Debian packages ${need[*]}; install them as root: apt-get install ${need[*]}" >&2
    exit 1
  fi
  sudo_cmd=(sudo -n)
fi
if ! command -v apt-get >/dev/null; then
  echo "system-deps: missing packages ${need[*]} and no apt-get here; install them with your package manager" >&2
  exit 1
fi
echo "system-deps: installing ${need[*]}"
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
  "${need[@]}" >/dev/null
