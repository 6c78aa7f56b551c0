#!/bin/sh
# Runs after every upload, ok or failed. The file name is data: quote every expansion.
set -eu
[ "$FTPKIT_STATUS" = ok ] || exit 0
printf '%s\t%s\t%s\n' "$FTPKIT_USER" "$FTPKIT_SIZE" "$FTPKIT_LOCAL_PATH" >> "${UPLOAD_LOG:-/var/log/ftpkit-uploads.log}"
