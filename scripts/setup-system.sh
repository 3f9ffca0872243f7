#!/usr/bin/env bash
# Installs the system programs Rapido's headless host and tests need, only if they are missing:
# Debian's chromium (the headless renderer), ffmpeg (tests read the files we write) and
# LibreOffice Impress (PowerPoint import converts decks to PDF with its soffice), unzip (tests) and
# redis-server (the render farm's queue; its tests start real ones).
set -euo pipefail
missing=()
if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1; then missing+=(chromium); fi
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
command -v ffprobe >/dev/null 2>&1 || missing+=(ffmpeg)
# LIBREOFFICE_PATH names a LibreOffice the app uses instead (see pptx-convert.ts).
office=()
if [ -z "${LIBREOFFICE_PATH:-}" ] && ! command -v soffice >/dev/null 2>&1; then
  office=(libreoffice-impress)
fi
# The PowerPoint tests read each deck's notes a second, independent way with unzip.
command -v unzip >/dev/null 2>&1 || missing+=(unzip)
# Debian's redis-server package has both redis-server and redis-cli (from redis-tools).
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ ${#missing[@]} -eq 0 ] && [ ${#office[@]} -eq 0 ]; then
  echo "setup-system: chromium, ffmpeg, LibreOffice, unzip and redis-server are present"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-system: please install: ${missing[*]} ${office[*]} (no apt-get here)" >&2
  exit 1
fi
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
echo "setup-system: installing ${missing[*]} ${office[*]}"
"${sudo_cmd[@]}" apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# LibreOffice without its recommends (Java, more fonts, other suites): not needed to convert decks,
# and minutes to install.
if [ ${#office[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${office[@]}" >/dev/null
fi
