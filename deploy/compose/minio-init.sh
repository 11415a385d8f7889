#!/bin/sh
# Run once by compose's minio-init (the mc image): the bucket, and one MinIO user per service
# that touches objects, holding only its policy from deploy/storage-policies/ (mounted at
# /policies). The root user stays here and in MinIO; no service gets it. Safe to run again.
set -eu

mc alias set local http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"
mc mb --ignore-existing "local/$S3_BUCKET"

identity() {  # service access-key secret-key
    mc admin policy create local "scoremate-$1" "/policies/$1.json"
    mc admin user add local "$2" "$3"
    if ! out=$(mc admin policy attach local "scoremate-$1" --user "$2" 2>&1); then
        case "$out" in
            *"already in effect"*) ;;
            *) echo "$out" >&2; exit 1 ;;
        esac
    fi
}

identity auth "$AUTH_S3_ACCESS_KEY" "$AUTH_S3_SECRET_KEY"
identity files "$FILES_S3_ACCESS_KEY" "$FILES_S3_SECRET_KEY"
identity library "$LIBRARY_S3_ACCESS_KEY" "$LIBRARY_S3_SECRET_KEY"
identity processor "$PROCESSOR_S3_ACCESS_KEY" "$PROCESSOR_S3_SECRET_KEY"
identity sync "$SYNC_S3_ACCESS_KEY" "$SYNC_S3_SECRET_KEY"
identity billing "$BILLING_S3_ACCESS_KEY" "$BILLING_S3_SECRET_KEY"
identity exports "$EXPORTS_S3_ACCESS_KEY" "$EXPORTS_S3_SECRET_KEY"
