#!/usr/bin/env bash
# Regenerates screenshots/*.png from the real binary in demo mode, driven through tmux.
#   scripts/screenshots.sh
# Needs: tmux, python3 with Pillow (pip install pillow), the DejaVu Sans Mono font.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v tmux >/dev/null || { echo "needs tmux" >&2; exit 1; }
python3 -c 'import PIL' 2>/dev/null || pip install --quiet pillow

cargo build --features sim-demo
bin="$PWD/target/debug/wamod"
out="$PWD/screenshots"
mkdir -p "$out"
work="$(mktemp -d)"
sock="wamod-shots-$$"
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT

# Waits until the screen contains $2 (a grep -E pattern), then saves it as $1.png.
shot() {
  local name="$1" pattern="$2" cols="$3" rows="$4" session="$5"
  for _ in $(seq 1 600); do
    if tmux -L "$sock" capture-pane -p -t "$session" | grep -Eq "$pattern"; then
      tmux -L "$sock" capture-pane -e -p -t "$session" > "$work/$name.ans"
      python3 scripts/ansi_to_png.py "$work/$name.ans" "$out/$name.png" "$cols" "$rows"
      echo "screenshots/$name.png"
      return 0
    fi
    sleep 0.1
  done
  echo "timed out waiting for '$pattern' for $name" >&2
  tmux -L "$sock" capture-pane -p -t "$session" >&2
  return 1
}

start() {
  local session="$1" cols="$2" rows="$3"
  tmux -L "$sock" new-session -d -s "$session" -x "$cols" -y "$rows" \
    env HOME="$work/$session" WAMOD_DATA_DIR="$work/$session/data" \
    WAMOD_STATE_DIR="$work/$session/state" WAMOD_CONFIG_DIR="$work/$session/config" \
    "$bin" --demo
}
keys() { tmux -L "$sock" send-keys -t "$1" "${@:2}"; }

# 120x40: the QR popup, the dashboard, the big roster, the help overlay.
start main 120 40
shot qr-popup "Link a device|Linked devices" 120 40 main
shot dashboard "Sessions" 120 40 main
sleep 8   # let some of the scenario's activity arrive in the events pane
shot dashboard-events "joined|request|left|promoted" 120 40 main
# Groups pane, sorted by size: the 1,024-member group is on top; open its roster.
keys main 2 s g Enter
shot roster-1024 "1024" 120 40 main
keys main '?'
shot help "Everywhere|Help" 120 40 main
keys main Escape
sleep 0.5   # a key right after Esc would read as Alt-key
# Moderation: add two people to the staff room; one is blocked by privacy (result view), then
# the invite link offered for them (text and QR).
keys main 2
keys main Escape
sleep 0.5
keys main / ; keys main -l "Staff" ; keys main Enter 3 a
keys main -l "+1 555 000 7777, +1 555 000 2222" ; keys main Enter
shot result-view "blocked by their privacy" 120 40 main
keys main i
shot invite-qr "chat.whatsapp.com" 120 40 main
keys main Escape
sleep 0.5
keys main q

# 80x24: the QR popup still fits.
start small 80 24
shot qr-popup-80x24 "Link a device|Linked devices" 80 24 small
keys small Escape q
