#!/bin/bash
# Runs once when an instance boots: put the site of commit ${git_sha} where the web server
# serves from. The local cloud's image serves $DOCUMENT_ROOT itself; on AWS (Amazon Linux,
# no DOCUMENT_ROOT) this installs git and Apache first, and the site goes to /var/www/html.
set -euo pipefail
if [[ -z "$${DOCUMENT_ROOT:-}" ]]; then
  dnf install -y --quiet git httpd
  systemctl enable --now httpd
  DOCUMENT_ROOT=/var/www/html
  cd "$(mktemp -d)"
fi
git init --quiet site
git -C site fetch --quiet --depth 1 "${repository_url}" "${git_sha}"
git -C site checkout --quiet FETCH_HEAD
cp -R site/www/. "$DOCUMENT_ROOT/"
rm -rf site
echo "serving www/ of ${git_sha}"
