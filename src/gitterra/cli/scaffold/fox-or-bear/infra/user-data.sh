#!/bin/bash
# Runs once when an instance boots, in the instance's directory: put the site of commit
# ${git_sha} where the image's web server serves from ($DOCUMENT_ROOT).
set -euo pipefail
git init --quiet site
git -C site fetch --quiet --depth 1 "${repository_url}" "${git_sha}"
git -C site checkout --quiet FETCH_HEAD
cp -R site/www/. "$DOCUMENT_ROOT/"
rm -rf site
echo "serving www/ of ${git_sha}"
