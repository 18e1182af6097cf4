#!/usr/bin/env bash
# Phục hồi một bản sao lưu của scripts/backup.sh vào một cơ sở dữ liệu PostgreSQL TRỐNG và một thư
# mục tệp tải lên trống.
#
#   scripts/restore.sh THƯ_MỤC_BẢN_SAO_LƯU
#
# Đọc DATABASE_URL (cơ sở dữ liệu đích, đã tạo và còn trống: createdb -O khuyencong tên_mới) và
# MEDIA_ROOT (thư mục đích, chưa có hoặc trống) từ môi trường; ENV_FILE như backup.sh. Kiểm tra
# SHA256SUMS trước, dừng ở lỗi đầu tiên (pg_restore --exit-on-error), không ghi đè dữ liệu đang có.
set -euo pipefail
umask 027

if [ -n "${ENV_FILE:-}" ]; then
  set -a
  # shellcheck disable=SC1090
  . "$ENV_FILE"
  set +a
fi

SOURCE=${1:?Cách dùng: scripts/restore.sh THƯ_MỤC_BẢN_SAO_LƯU}
DATABASE_URL=${DATABASE_URL:?DATABASE_URL chưa đặt (cơ sở dữ liệu đích, trống)}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MEDIA_ROOT=${MEDIA_ROOT:-$ROOT/media}

case "$DATABASE_URL" in
  postgres://* | postgresql://*) ;;
  *) echo "restore.sh chỉ phục hồi vào PostgreSQL" >&2; exit 2 ;;
esac

(cd "$SOURCE" && sha256sum --check --quiet SHA256SUMS)

tables=$(psql "$DATABASE_URL" -tAc "select count(*) from pg_tables where schemaname = 'public'")
if [ "$tables" != "0" ]; then
  echo "Cơ sở dữ liệu đích đã có $tables bảng: hãy phục hồi vào một cơ sở dữ liệu mới, trống." >&2
  exit 3
fi
if [ -d "$MEDIA_ROOT" ] && [ -n "$(ls -A "$MEDIA_ROOT")" ]; then
  echo "Thư mục tệp $MEDIA_ROOT không trống: hãy phục hồi vào một thư mục mới." >&2
  exit 3
fi

pg_restore --exit-on-error --no-owner --no-privileges --dbname="$DATABASE_URL" "$SOURCE/db.dump"

mkdir -p "$MEDIA_ROOT"
tar --extract --gzip --file="$SOURCE/media.tar.gz" --directory="$MEDIA_ROOT" --no-same-owner

echo "Đã phục hồi $SOURCE vào cơ sở dữ liệu ${DATABASE_URL##*/} và $MEDIA_ROOT"
