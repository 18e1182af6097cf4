#!/usr/bin/env bash
# Sao lưu cổng khuyến công: cơ sở dữ liệu PostgreSQL (pg_dump, định dạng custom) và thư mục tệp tải
# lên (MEDIA_ROOT, một tệp tar.gz), kèm SHA256SUMS để kiểm tra trước khi phục hồi.
#
#   scripts/backup.sh [THƯ_MỤC_ĐÍCH]          # mặc định /var/backups/khuyencong
#
# Đọc DATABASE_URL (bắt buộc, postgres://…) và MEDIA_ROOT (mặc định media/ cạnh manage.py) từ môi
# trường; ENV_FILE=/etc/khuyencong.env đọc chúng từ tệp môi trường của systemd. KEEP=14 giữ 14 bản
# mới nhất trong THƯ_MỤC_ĐÍCH và xoá các bản cũ hơn. In ra đường dẫn bản sao lưu vừa tạo (dòng cuối).
# Không dừng cổng: pg_dump đọc một ảnh nhất quán trong khi cổng vẫn chạy.
set -euo pipefail
umask 077

ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${ENV_FILE:-}" ]; then
  set -a
  # shellcheck disable=SC1090
  . "$ENV_FILE"
  set +a
fi

DEST=${1:-/var/backups/khuyencong}
DATABASE_URL=${DATABASE_URL:?DATABASE_URL chưa đặt (postgres://người_dùng:mật_khẩu@máy:5432/tên_csdl)}
MEDIA_ROOT=${MEDIA_ROOT:-$ROOT/media}
KEEP=${KEEP:-0}

case "$DATABASE_URL" in
  postgres://* | postgresql://*) ;;
  *) echo "backup.sh chỉ sao lưu PostgreSQL (DATABASE_URL=${DATABASE_URL%%:*}://…)" >&2; exit 2 ;;
esac
# django-environ và libpq cùng hiểu postgres://; libpq không hiểu tiền tố khác.
PG_URL=$DATABASE_URL

STAMP=$(date +%Y%m%d-%H%M%S)
TARGET="$DEST/khuyencong-$STAMP"
if [ -e "$TARGET" ]; then
  TARGET="$TARGET-$$"
fi
mkdir -p "$TARGET.partial"
trap 'rm -rf "$TARGET.partial"' EXIT

pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$TARGET.partial/db.dump" "$PG_URL"

if [ -d "$MEDIA_ROOT" ]; then
  tar --create --gzip --file="$TARGET.partial/media.tar.gz" --directory="$MEDIA_ROOT" .
else
  # Chưa có tệp nào được tải lên: một tệp nén rỗng, để bản phục hồi vẫn đủ hai phần.
  tar --create --gzip --file="$TARGET.partial/media.tar.gz" --files-from=/dev/null
fi

(cd "$TARGET.partial" && sha256sum db.dump media.tar.gz >SHA256SUMS)
# Chỉ một bản đầy đủ mới mang tên cuối cùng: một lần chạy hỏng không để lại bản dở dang.
mv "$TARGET.partial" "$TARGET"
trap - EXIT

if [ "$KEEP" -gt 0 ]; then
  find "$DEST" -maxdepth 1 -type d -name 'khuyencong-*' ! -name '*.partial' | sort -r \
    | tail -n +"$((KEEP + 1))" | while read -r old; do rm -rf -- "$old"; done
fi

echo "$TARGET"
