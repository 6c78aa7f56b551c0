#!/usr/bin/env bash
# Installs the third-party programs the tests talk to: FTP clients (curl, lftp, wget, python3 ftplib)
# and FTP servers (vsftpd, pure-ftpd, pyftpdlib), and fail2ban-regex for the documented filter.
# Runs without prompts; starts no service.
# vsftpd and pure-ftpd conflict as Debian packages: vsftpd is installed, pure-ftpd is unpacked
# into .tools/pure-ftpd with dpkg -x.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

need=()
command -v curl >/dev/null || need+=(curl)
command -v lftp >/dev/null || need+=(lftp)
command -v wget >/dev/null || need+=(wget)
command -v vsftpd >/dev/null || [ -x /usr/sbin/vsftpd ] || need+=(vsftpd)
/usr/bin/python3 -c 'import pyftpdlib' 2>/dev/null || need+=(python3-pyftpdlib)
command -v openssl >/dev/null || need+=(openssl)
command -v ip >/dev/null || need+=(iproute2)
command -v useradd >/dev/null || [ -x /usr/sbin/useradd ] || need+=(passwd)
command -v chpasswd >/dev/null || [ -x /usr/sbin/chpasswd ] || need+=(passwd)
command -v diff >/dev/null || need+=(diffutils)
command -v flock >/dev/null || need+=(util-linux)
/usr/bin/python3 -c 'import OpenSSL' 2>/dev/null || need+=(python3-openssl)
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
command -v aws >/dev/null || need+=(awscli)
command -v script >/dev/null || need+=(bsdutils)
# The web console's browser test drives Debian's Chromium (never a downloaded browser).
[ -x /usr/bin/chromium ] || need+=(chromium)
# systemd-analyze (the unit in docs/production.md); in a container this only installs the tools, nothing starts.
command -v systemd-analyze >/dev/null || need+=(systemd)
command -v fail2ban-regex >/dev/null || need+=(fail2ban)

SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo

if [ ${#need[@]} -gt 0 ] || [ ! -x .tools/pure-ftpd/usr/sbin/pure-ftpd ]; then
  # Keep package scripts from starting services (vsftpd would grab port 21).
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  if [ ${#need[@]} -gt 0 ]; then
    $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
  if [ ! -x .tools/pure-ftpd/usr/sbin/pure-ftpd ]; then
    tmp=$(mktemp -d)
    (cd "$tmp" && apt-get download -qq pure-ftpd-common pure-ftpd >/dev/null)
    mkdir -p .tools/pure-ftpd
    for deb in "$tmp"/*.deb; do dpkg -x "$deb" .tools/pure-ftpd; done
    rm -rf "$tmp"
  fi
  # Stop anything a package started on its own despite policy-rc.d.
  pkill -x vsftpd 2>/dev/null || true
  pkill -x haproxy 2>/dev/null || true
  pkill -f fail2ban-server 2>/dev/null || true
fi
echo "test dependencies ready: curl lftp wget vsftpd pure-ftpd(.tools) pyftpdlib haproxy aws chromium systemd-analyze fail2ban-regex"
