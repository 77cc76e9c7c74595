#!/usr/bin/env bash
# Sourced by run.sh and test.sh: the Debian packages the product needs at run time (the venv; PDF documents:
# WeasyPrint needs pango and a CJK font), and install_missing to apt-get install whichever are absent.
runtime_missing() {
  python3 -c "import ensurepip" 2>/dev/null || echo python3-venv
  [ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || echo fonts-wqy-microhei
  ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0.so.0 || echo libpango-1.0-0 libpangoft2-1.0-0
}
install_missing() {
  [ $# -gt 0 ] || return 0
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}
